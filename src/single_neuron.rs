//! The single-neuron, d = e = 1 model of Fig. 1b (to be filled).
