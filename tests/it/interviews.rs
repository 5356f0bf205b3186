//! interviews through the facade on both drivers.
