//! forum through the facade on both drivers.
