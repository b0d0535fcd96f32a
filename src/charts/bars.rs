//! Chart: bars (to be filled).
