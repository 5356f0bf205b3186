//! The forum pages.
