//! Browser boundary of the heatmaps view (to be filled).
