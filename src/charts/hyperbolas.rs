//! Chart: hyperbolas (to be filled).
