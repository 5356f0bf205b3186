//! The online services pages.
