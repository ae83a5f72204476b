//! How each Playground feature is computed from a point (X₁, X₂): the one
//! definition that [`Feature::eval`] evaluates and the ONNX export
//! ([`Mlp::to_onnx`](crate::Mlp::to_onnx)) writes as a graph.

use super::playground::Feature;

/// A feature as an expression of the point's coordinates (0 for X₁, 1 for X₂).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formula {
    /// The coordinate itself.
    Coordinate(usize),
    /// The product of two coordinates (a square when they are the same).
    Product(usize, usize),
    /// The sine of a coordinate.
    Sin(usize),
}

impl Feature {
    /// The feature's [`Formula`].
    ///
    /// ```
    /// use nn::data::{Feature, Formula};
    /// assert_eq!(Feature::X1X2.formula(), Formula::Product(0, 1));
    /// assert_eq!(Feature::SinX2.formula(), Formula::Sin(1));
    /// ```
    pub fn formula(self) -> Formula {
        match self {
            Feature::X1 => Formula::Coordinate(0),
            Feature::X2 => Formula::Coordinate(1),
            Feature::X1Squared => Formula::Product(0, 0),
            Feature::X2Squared => Formula::Product(1, 1),
            Feature::X1X2 => Formula::Product(0, 1),
            Feature::SinX1 => Formula::Sin(0),
            Feature::SinX2 => Formula::Sin(1),
        }
    }
}
