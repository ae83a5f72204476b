//! A network looked at over the input plane: the heatmap's grid as network
//! inputs, and from one batched pass the panels of its output, of every
//! unit, and the [`Network`] picture. The CLI, the examples and the
//! browser page's exports all draw their maps through this.

use autograd::Tensor;

use super::network::{Network, NetworkLayer};
use super::panel::Panel;
use crate::data::playground::features;
use crate::data::{Dataset, Feature};
use crate::Mlp;
use crate::{Error, Result};

/// The cell centres of a heatmap over a view, as the input rows of a
/// network that reads the features `features` of each point (x1, x2).
///
/// ```
/// use nn::data::Feature;
/// use nn::plot::PlaneGrid;
/// use nn::{Activation, Init, Mlp};
/// let mlp = Mlp::new(&[2, 3, 1], &[Activation::Tanh; 2], Init::Playground, 1)?;
/// let grid = PlaneGrid::new((-6.0, 6.0), (-6.0, 6.0), 20, &[Feature::X1, Feature::X2])?;
/// let panel = grid.output(&mlp, "2-3-1 tanh")?;
/// assert_eq!(panel.values.len(), 400);
/// let hidden = grid.units(&mlp.predict_layers(grid.inputs())?[0].post, 2, |j| format!("n{j}"));
/// assert_eq!(hidden.len(), 2);
/// # Ok::<(), nn::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct PlaneGrid {
    x_range: (f64, f64),
    y_range: (f64, f64),
    density: usize,
    inputs: Tensor<f64>,
}

impl PlaneGrid {
    /// `density` × `density` cells over the view, each centre turned into
    /// the features' values (in [`Panel::grid_points`] order).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for an empty feature list or a density below 2.
    pub fn new(
        x_range: (f64, f64),
        y_range: (f64, f64),
        density: usize,
        chosen: &[Feature],
    ) -> Result<PlaneGrid> {
        if density < 2 {
            return Err(Error::invalid(
                "heatmap density",
                "at least 2 cells per axis",
                density,
            ));
        }
        let xy: Vec<f64> = Panel::grid_points(x_range, y_range, density)
            .into_iter()
            .flat_map(|(a, b)| [a, b])
            .collect();
        let points = Tensor::from_vec(&[density * density, 2], xy)?;
        Ok(PlaneGrid {
            x_range,
            y_range,
            density,
            inputs: features(&points, chosen)?,
        })
    }

    /// The grid of a network that reads the coordinates themselves
    /// (features x1 and x2).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] for a density below 2.
    pub fn xy(x_range: (f64, f64), y_range: (f64, f64), density: usize) -> Result<PlaneGrid> {
        PlaneGrid::new(x_range, y_range, density, &[Feature::X1, Feature::X2])
    }

    /// The network inputs, one row per cell.
    pub fn inputs(&self) -> &Tensor<f64> {
        &self.inputs
    }

    /// Cells per axis.
    pub fn density(&self) -> usize {
        self.density
    }

    /// A panel over this grid's view with values computed at its cells.
    pub fn panel(&self, title: impl Into<String>, values: Vec<f64>) -> Panel {
        Panel::from_values(title, self.x_range, self.y_range, self.density, values)
    }

    /// The network's (first) output over the plane.
    ///
    /// # Errors
    ///
    /// As [`Mlp::predict`] when the network does not read these features.
    pub fn output(&self, mlp: &Mlp, title: impl Into<String>) -> Result<Panel> {
        let y = mlp.predict(&self.inputs)?;
        let k = y.shape()[1];
        let values = y.data().iter().step_by(k.max(1)).copied().collect();
        Ok(self.panel(title, values))
    }

    /// One panel for each of the first `count` columns of `values`
    /// ([cells, units]: the inputs, or a layer's outputs over this grid),
    /// titled by `title(j)`.
    pub fn units(
        &self,
        values: &Tensor<f64>,
        count: usize,
        mut title: impl FnMut(usize) -> String,
    ) -> Vec<Panel> {
        let width = values.shape().get(1).copied().unwrap_or(1).max(1);
        (0..count.min(width))
            .map(|j| {
                let column = values.data().iter().skip(j).step_by(width).copied();
                self.panel(title(j), column.collect())
            })
            .collect()
    }

    /// The network as the Playground draws it (see [`network`](super::network)):
    /// the inputs named `input_names`, then every layer, each drawn with
    /// its first `max_units` units; a unit is crossed out where `dead[l][j]`
    /// (hidden layer l, unit j; see [`dead_units`]) is true.
    ///
    /// # Errors
    ///
    /// As [`Mlp::predict_layers`] when the network does not read these
    /// features; [`Error::Mismatch`] when the names are not one per input.
    pub fn network(
        &self,
        mlp: &Mlp,
        title: impl Into<String>,
        input_names: &[String],
        max_units: usize,
        dead: &[Vec<bool>],
    ) -> Result<Network> {
        let max = max_units.max(1);
        if input_names.len() != mlp.inputs() {
            return Err(Error::mismatch(
                "network picture input names",
                format!("{} names", mlp.inputs()),
                input_names.len(),
            ));
        }
        let mut layers = vec![NetworkLayer {
            name: "input".into(),
            units: mlp.inputs(),
            nodes: self.units(&self.inputs, max, |j| input_names[j].clone()),
        }];
        let values = mlp.predict_layers(&self.inputs)?;
        let last = values.len().saturating_sub(1);
        for (l, v) in values.iter().enumerate() {
            let name = if l == last {
                "output".to_string()
            } else {
                format!("layer {}", l + 1)
            };
            let marks = dead.get(l);
            let nodes = self
                .units(&v.post, max, |_| String::new())
                .into_iter()
                .enumerate()
                .map(|(j, p)| p.dead(marks.and_then(|m| m.get(j)).copied().unwrap_or(false)))
                .collect();
            layers.push(NetworkLayer {
                name,
                units: v.post.shape()[1],
                nodes,
            });
        }
        let weights = mlp
            .layers()
            .iter()
            .map(|layer| mlp.params()[layer.weight()].data().to_vec())
            .collect();
        Ok(Network {
            title: title.into(),
            layers,
            weights,
        })
    }
}

/// For each hidden layer of `mlp`, which units are dead on the inputs `x`
/// (the data, one row per point): their output is the same on every row,
/// as a ReLU's is when its input is negative everywhere. Such a unit
/// passes no information and, for ReLU, gets no gradient.
///
/// ```
/// use autograd::Tensor;
/// use nn::plot::dead_units;
/// use nn::{Activation, Init, Mlp};
/// let mut mlp = Mlp::new(&[1, 2, 1], &[Activation::Relu, Activation::Identity], Init::Playground, 1)?;
/// // unit 1 of the hidden layer: weight 0, bias −1 → relu(−1) = 0 on every input
/// let (w, b) = (mlp.layers()[0].weight(), mlp.layers()[0].bias());
/// mlp.params_mut().get_mut(w).unwrap().data_mut()[1] = 0.0;
/// mlp.params_mut().get_mut(b).unwrap().data_mut()[1] = -1.0;
/// let x = Tensor::from_vec(&[3, 1], vec![-1.0, 0.5, 2.0])?;
/// assert_eq!(dead_units(&mlp, &x)?, vec![vec![false, true]]);
/// # Ok::<(), nn::Error>(())
/// ```
///
/// # Errors
///
/// As [`Mlp::predict_layers`] when `x` does not fit the network.
pub fn dead_units(mlp: &Mlp, x: &Tensor<f64>) -> Result<Vec<Vec<bool>>> {
    let mut layers = mlp.predict_layers(x)?;
    layers.pop();
    Ok(layers
        .iter()
        .map(|l| {
            let (n, w) = (l.post.shape()[0], l.post.shape()[1]);
            let a = l.post.data();
            (0..w)
                .map(|j| {
                    let first = a[j];
                    n > 0 && (0..n).all(|i| a[i * w + j] == first)
                })
                .collect()
        })
        .collect())
}

/// A data set of 2-D points with one target each as (x1, x2, target)
/// triples: what [`Panel::train`] and [`Panel::test`] draw.
///
/// # Errors
///
/// [`Error::Mismatch`] when the points are not 2-D or the targets not one
/// per point.
pub fn labelled_points(data: &Dataset<f64>) -> Result<Vec<(f64, f64, f64)>> {
    if data.input_dim() != 2 || data.target_dim() != 1 {
        return Err(Error::mismatch(
            "points to draw on a heatmap",
            "2 inputs (x1, x2) and 1 target per point",
            format!(
                "{} inputs and {} targets",
                data.input_dim(),
                data.target_dim()
            ),
        ));
    }
    Ok((0..data.len())
        .map(|i| (data.x_row(i)[0], data.x_row(i)[1], data.y_row(i)[0]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Init};

    #[test]
    fn a_wide_layer_is_drawn_as_its_first_units() {
        let mlp = Mlp::new(
            &[2, 1000, 1],
            &[Activation::Relu, Activation::Tanh],
            Init::Playground,
            1,
        )
        .unwrap();
        let grid =
            PlaneGrid::new((-6.0, 6.0), (-6.0, 6.0), 4, &[Feature::X1, Feature::X2]).unwrap();
        let names = vec!["x1".to_string(), "x2".to_string()];
        let net = grid.network(&mlp, "wide", &names, 16, &[]).unwrap();
        let shown: Vec<(usize, usize)> = net
            .layers
            .iter()
            .map(|l| (l.nodes.len(), l.units))
            .collect();
        assert_eq!(shown, vec![(2, 2), (16, 1000), (1, 1)]);
        assert_eq!(net.weights[0].len(), 2 * 1000);
        assert_eq!(
            net.subset_notes(),
            vec!["layer 1: the first 16 of 1000 units are drawn".to_string()]
        );
        // edges only between drawn units: 2 × 16, then 16 × 1
        assert_eq!(net.edges(0).len(), 32);
        assert_eq!(net.edges(1).len(), 16);
        // the hidden panels are the layer's columns
        let layers = mlp.predict_layers(grid.inputs()).unwrap();
        let col3: Vec<f64> = layers[0]
            .post
            .data()
            .iter()
            .skip(3)
            .step_by(1000)
            .copied()
            .collect();
        assert_eq!(net.layers[1].nodes[3].values, col3);
    }

    #[test]
    fn the_grids_inputs_are_the_chosen_features_of_the_cell_centres() {
        let grid = PlaneGrid::new(
            (0.0, 4.0),
            (0.0, 2.0),
            2,
            &[Feature::X2, Feature::X1Squared],
        )
        .unwrap();
        assert_eq!(grid.inputs().shape(), &[4, 2]);
        assert_eq!(
            grid.inputs().data(),
            &[0.5, 1.0, 0.5, 9.0, 1.5, 1.0, 1.5, 9.0]
        );
        assert!(PlaneGrid::new((0.0, 1.0), (0.0, 1.0), 1, &[Feature::X1]).is_err());
    }

    #[test]
    fn a_unit_is_dead_when_its_output_never_changes() {
        let mlp = Mlp::new(
            &[2, 3, 1],
            &[Activation::Relu, Activation::Tanh],
            Init::Playground,
            2,
        )
        .unwrap();
        let x = Tensor::from_vec(&[3, 2], vec![1.0, 2.0, -1.0, 0.0, 3.0, -2.0]).unwrap();
        let dead = dead_units(&mlp, &x).unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].len(), 3);
        // one point: every unit's output is the same on all (one) rows
        let one = Tensor::from_vec(&[1, 2], vec![1.0, 2.0]).unwrap();
        assert_eq!(dead_units(&mlp, &one).unwrap(), vec![vec![true; 3]]);
    }
}
