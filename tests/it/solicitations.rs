//! solicitations through the facade on both drivers.
