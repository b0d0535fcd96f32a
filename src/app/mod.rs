//! The application layer: the live runs the views share ([`session`], [`single_neuron`],
//! [`random_run`]), the versioned link format ([`link`]) and the exports ([`export`]). Uses
//! [`crate::core`] and [`crate::experiments`].

pub mod export;
pub mod history;
pub mod link;
pub mod live_run;
pub mod random_run;
pub mod session;
pub mod single_neuron;
