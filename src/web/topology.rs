//! Browser boundary of the topology view (to be filled).
