//! Browser boundary of the fig1b view (to be filled).
