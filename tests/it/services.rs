//! Online services through the facade on both drivers.
