//! The application layer: one view model per view of the page (the guided [`tour`] included) ([`view`] is the protocol they
//! share), the live run they share ([`live_run`], with its bounded [`history`]), the versioned
//! link format ([`link`]), the exports ([`export`]) and the one number formatter of the page
//! ([`format`]). Uses [`crate::core`] and [`crate::experiments`].

pub mod export;
pub mod fig1b;
pub mod fig3;
pub mod fig4;
pub mod format;
pub mod framing;
pub mod heatmaps;
pub mod history;
pub mod lab;
pub mod link;
pub mod live_run;
pub mod random_run;
pub mod session;
pub mod single_neuron;
pub mod topology;
pub mod tour;
pub mod view;
