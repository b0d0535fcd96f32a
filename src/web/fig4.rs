//! Browser boundary of the fig4 view (to be filled).
