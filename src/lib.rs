//! foitrack: track Freedom of Information requests sent to many public bodies.
//!
//! Layers, from the inside out: [`domain`] (pure rules), [`store`] (diesel over SQLite or
//! PostgreSQL), [`service`] (one function per use case), and the adapters [`http`] and [`cli`].
//! [`app`] builds them from the settings, the same way for every adapter and for the tests.
//! [`extract`] reads attachments' text, in a child process of foitrack with limits; [`charts`]
//! draws the report's charts as SVG.

pub mod app;
pub mod charts;
pub mod cli;
pub mod config;
pub mod domain;
pub mod extract;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod service;
pub mod store;
