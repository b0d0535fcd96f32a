//! The mathematics, and nothing else of the crate: the network and its plain reference gradient
//! ([`network`]), the fast kernels the trainers use ([`kernel`], from the `relu-kernels` crate),
//! training dynamics ([`train`]), initializations and the function-preserving rescaling
//! ([`init`]), the topology of H(c) ([`topology`]), the odds of pathological neurons
//! ([`probability`]), data sets ([`data`]), seeded random numbers ([`rng`]), typed errors
//! ([`error`]), and the lab where a researcher checks their own network: its weights file
//! ([`weights`]), its CSV data ([`table`]), and the check and rebalancing of it ([`inspect`]).
//! This layer uses no other layer of the crate (`tests/architecture.rs`).

pub mod components;
pub mod data;
pub mod error;
pub mod init;
pub mod inspect;
pub mod kernel;
pub mod network;
pub mod optim;
pub mod probability;
pub mod rng;
pub mod table;
pub mod topology;
pub mod train;
pub mod weights;
