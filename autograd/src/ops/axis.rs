//! Helpers shared by the ops that work along one axis (softmax, slicing,
//! concatenation, max/min): axis checks and the (outer, axis, inner) view of
//! a row-major shape.

use crate::error::{Error, Result};

/// An [`Error::OutOfRange`] unless `axis` is an axis of `shape`.
pub(crate) fn check_axis(op: &'static str, shape: &[usize], axis: usize) -> Result<()> {
    if axis >= shape.len() {
        return Err(Error::OutOfRange {
            op,
            what: format!(
                "axis {axis} is out of range for shape {shape:?} ({} axes)",
                shape.len()
            ),
        });
    }
    Ok(())
}

/// Splits a row-major shape around `axis` into (outer, n, inner): the element
/// at (o, k, i) lives at `(o * n + k) * inner + i`, so the lane along `axis`
/// through (o, i) has stride `inner`.
pub(crate) fn lanes(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

/// The offset of the first element of every lane along the axis of a shape
/// split as (outer, n, inner) by [`lanes`]; the lane's elements follow at
/// stride `inner`.
pub(crate) fn lane_starts(outer: usize, n: usize, inner: usize) -> impl Iterator<Item = usize> {
    (0..outer).flat_map(move |o| (0..inner).map(move |i| o * n * inner + i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_split_the_shape_around_the_axis() {
        assert_eq!(lanes(&[2, 3, 4], 0), (1, 2, 12));
        assert_eq!(lanes(&[2, 3, 4], 1), (2, 3, 4));
        assert_eq!(lanes(&[2, 3, 4], 2), (6, 4, 1));
        let starts: Vec<usize> = lane_starts(2, 3, 2).collect();
        assert_eq!(starts, vec![0, 1, 6, 7]);
    }

    #[test]
    fn axis_error_names_op_axis_and_shape() {
        let err = check_axis("softmax", &[2, 3], 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "softmax: axis 2 is out of range for shape [2, 3] (2 axes)"
        );
        assert!(check_axis("softmax", &[2, 3], 1).is_ok());
    }
}
