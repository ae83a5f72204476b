//! Neural networks on the xiaolan autograd tape.
