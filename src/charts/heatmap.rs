//! Chart: heatmap (to be filled).
