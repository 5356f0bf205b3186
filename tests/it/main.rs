//! Cross-crate integration tests: one binary (see DESIGN.md: one link, not many).
#![allow(clippy::unwrap_used)]

mod annual_report;
mod audit_outbox;
mod auth;
mod columns;
mod content;
mod forum;
mod interviews;
mod mail;
mod permissions;
mod search;
mod selfcheck;
mod services;
mod sites;
mod solicitations;
mod stats;
mod surveys;
mod tickets;
