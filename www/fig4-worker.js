// Web Worker of the Fig. 4 sweep (to be filled).
