//! A live run of a randomly initialized network of any architecture (to be filled).
