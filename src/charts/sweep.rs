//! Chart: sweep (to be filled).
