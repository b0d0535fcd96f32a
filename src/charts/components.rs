//! Chart: components (to be filled).
