//! An [`Mlp`] exported to ONNX: the graph ONNX Runtime (or any ONNX reader)
//! runs to get the network's predictions, written with `prost` from the
//! part of the ONNX schema it needs ([`io::onnx_proto`](crate::io::onnx_proto)).
//!
//! The model imports the default ONNX operator set at version
//! [`ONNX_OPSET`] (17) and declares IR version [`ONNX_IR_VERSION`] (8,
//! ONNX 1.12's). Its input `x` is `float32` [n, inputs] — or, for a network
//! of Playground features, the raw points [n, 2] (X₁, X₂), from which the
//! graph computes the features — and its output `y` is `float32`
//! [n, outputs]. The weights are stored as `float32` whatever `E` is.
//!
//! | part | ONNX operators |
//! |---|---|
//! | features | `Gather` (a coordinate), `Mul` (x₁², x₂², x₁x₂), `Sin`, `Concat` |
//! | dense layer | `Gemm` (x·W + b, W [in, out]) |
//! | identity | none |
//! | step | `Greater` (z > 0), `Cast` to float |
//! | sigmoid, tanh, relu, softplus, softmax | `Sigmoid`, `Tanh`, `Relu`, `Softplus`, `Softmax` (axis −1) |
//! | leaky_relu(s), elu(α) | `LeakyRelu` (alpha s), `Elu` (alpha α) |
//! | silu | z · `Sigmoid`(z): `Mul` |
//! | gelu (tanh form) | z/2·(1 + `Tanh`(√(2/π)(z + 0.044715z³))): `Mul`, `Add`, `Tanh` (opset 17 has no `Gelu`, which came in opset 20) |

use super::mlp::Mlp;
use crate::activation::Activation;
use crate::data::Formula;
use crate::error::Result;
use crate::io::onnx_proto::{
    AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, OperatorSetIdProto,
    StringStringEntryProto, TensorProto, TensorShapeProto, TypeProto, TypeProtoTensor,
    ValueInfoProto, ATTRIBUTE_FLOAT, ATTRIBUTE_INT, FLOAT, INT64,
};
use crate::io::{self, Element};
use std::path::Path;

/// The version of the default ONNX operator set the export imports.
pub const ONNX_OPSET: i64 = 17;
/// The ONNX IR version the export declares (8: ONNX 1.12, which brought
/// opset 17).
pub const ONNX_IR_VERSION: i64 = 8;

/// A graph being built: its nodes and constants, and a counter for names.
#[derive(Default)]
struct Graph {
    nodes: Vec<NodeProto>,
    constants: Vec<TensorProto>,
    count: usize,
}

impl Graph {
    /// Adds a node of operator `op` on `inputs`; returns its output's name.
    fn node(&mut self, op: &str, inputs: &[&str], attribute: Vec<AttributeProto>) -> String {
        self.count += 1;
        let output = format!("{}_{}", op.to_ascii_lowercase(), self.count);
        self.nodes.push(NodeProto {
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec![output.clone()],
            name: format!("{op}_{}", self.count),
            op_type: op.to_string(),
            attribute,
        });
        output
    }

    /// Adds a constant (an initializer) named `name`; returns the name.
    fn constant(&mut self, name: String, dims: &[usize], data_type: i32, raw: Vec<u8>) -> String {
        self.constants.push(TensorProto {
            dims: dims.iter().map(|&d| d as i64).collect(),
            data_type: Some(data_type),
            name: name.clone(),
            raw_data: Some(raw),
        });
        name
    }

    /// A float32 constant of the values `data` (converted from `E`).
    fn floats<E: Element>(&mut self, name: String, dims: &[usize], data: &[E]) -> String {
        let raw = data
            .iter()
            .flat_map(|x| (x.to_f64() as f32).to_le_bytes())
            .collect();
        self.constant(name, dims, FLOAT, raw)
    }

    /// A float32 scalar constant.
    fn scalar(&mut self, v: f64) -> String {
        self.count += 1;
        let name = format!("c{}", self.count);
        self.constant(name, &[], FLOAT, (v as f32).to_le_bytes().to_vec())
    }

    /// `x`'s column `i`, [n, 1].
    fn column(&mut self, x: &str, i: usize) -> String {
        let name = format!("column{i}");
        let index = match self.constants.iter().any(|c| c.name == name) {
            true => name,
            false => self.constant(name, &[1], INT64, (i as i64).to_le_bytes().to_vec()),
        };
        self.node("Gather", &[x, &index], vec![int("axis", 1)])
    }

    /// The activation `act` of `z`; returns its output's name.
    fn activation(&mut self, act: Activation, z: String) -> String {
        match act {
            Activation::Identity => z,
            Activation::Step => {
                let zero = self.scalar(0.0);
                let positive = self.node("Greater", &[&z, &zero], vec![]);
                self.node("Cast", &[&positive], vec![int("to", FLOAT.into())])
            }
            Activation::Sigmoid => self.node("Sigmoid", &[&z], vec![]),
            Activation::Tanh => self.node("Tanh", &[&z], vec![]),
            Activation::Relu => self.node("Relu", &[&z], vec![]),
            Activation::Softplus => self.node("Softplus", &[&z], vec![]),
            Activation::Softmax => self.node("Softmax", &[&z], vec![int("axis", -1)]),
            Activation::LeakyRelu(s) => self.node("LeakyRelu", &[&z], vec![float("alpha", s)]),
            Activation::Elu(a) => self.node("Elu", &[&z], vec![float("alpha", a)]),
            Activation::Silu => {
                let s = self.node("Sigmoid", &[&z], vec![]);
                self.node("Mul", &[&z, &s], vec![])
            }
            Activation::Gelu => {
                let (k, c) = (0.044715, (2.0 / std::f64::consts::PI).sqrt());
                let (k, c, one, half) = (
                    self.scalar(k),
                    self.scalar(c),
                    self.scalar(1.0),
                    self.scalar(0.5),
                );
                let z2 = self.node("Mul", &[&z, &z], vec![]);
                let z3 = self.node("Mul", &[&z2, &z], vec![]);
                let kz3 = self.node("Mul", &[&z3, &k], vec![]);
                let inner = self.node("Add", &[&z, &kz3], vec![]);
                let scaled = self.node("Mul", &[&inner, &c], vec![]);
                let t = self.node("Tanh", &[&scaled], vec![]);
                let one_plus = self.node("Add", &[&t, &one], vec![]);
                let half_z = self.node("Mul", &[&z, &half], vec![]);
                self.node("Mul", &[&half_z, &one_plus], vec![])
            }
        }
    }
}

fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        i: Some(i),
        r#type: Some(ATTRIBUTE_INT),
        ..Default::default()
    }
}

fn float(name: &str, f: f64) -> AttributeProto {
    AttributeProto {
        name: name.into(),
        f: Some(f as f32),
        r#type: Some(ATTRIBUTE_FLOAT),
        ..Default::default()
    }
}

/// A float32 tensor value [n, width] (n symbolic).
fn value(name: &str, width: usize) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: Some(FLOAT),
                shape: Some(TensorShapeProto {
                    dim: vec![
                        Dimension {
                            dim_value: None,
                            dim_param: Some("n".into()),
                        },
                        Dimension {
                            dim_value: Some(width as i64),
                            dim_param: None,
                        },
                    ],
                }),
            }),
        }),
    }
}

impl<E: Element> Mlp<E> {
    /// The network as an ONNX model (the bytes of a `.onnx` file): opset
    /// [`ONNX_OPSET`], IR version [`ONNX_IR_VERSION`], input `x` and output
    /// `y` in `float32`. A network with Playground
    /// [features](Mlp::features) takes the raw points [n, 2] and computes
    /// its features in the graph; any other takes [n, inputs]. The
    /// operators each part uses are listed in the module's documentation
    /// and in `docs/interop.md`.
    ///
    /// ```
    /// use nn::data::Feature;
    /// use nn::prelude::*;
    /// let mlp = Mlp::<f64>::new(&[3, 4, 1], &[Activation::Gelu, Activation::Tanh], Init::Xavier, 1)
    ///     .unwrap()
    ///     .with_features(&[Feature::X1, Feature::X2, Feature::SinX1])
    ///     .unwrap();
    /// let onnx = mlp.to_onnx();
    /// // a protobuf message: field 1 (ir_version, a varint) comes first
    /// assert_eq!(&onnx[..2], &[0x08, 8]);
    /// ```
    pub fn to_onnx(&self) -> Vec<u8> {
        let mut g = Graph::default();
        let (input, width) = ("x", self.features().map_or(self.inputs(), |_| 2));
        let mut a = input.to_string();
        if let Some(features) = self.features() {
            let mut columns = Vec::with_capacity(features.len());
            for f in features {
                let c = match f.formula() {
                    Formula::Coordinate(i) => g.column(input, i),
                    Formula::Product(i, j) => {
                        let (xi, xj) = (g.column(input, i), g.column(input, j));
                        g.node("Mul", &[&xi, &xj], vec![])
                    }
                    Formula::Sin(i) => {
                        let xi = g.column(input, i);
                        g.node("Sin", &[&xi], vec![])
                    }
                };
                columns.push(c);
            }
            let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
            a = g.node("Concat", &refs, vec![int("axis", 1)]);
        }
        for (layer, &act) in self.layers().iter().zip(self.activations()) {
            let (w, b) = (&self.params()[layer.weight()], &self.params()[layer.bias()]);
            let w = g.floats(format!("{}.weight", layer.name()), w.shape(), w.data());
            let b = g.floats(format!("{}.bias", layer.name()), b.shape(), b.data());
            let z = g.node("Gemm", &[&a, &w, &b], vec![]);
            a = g.activation(act, z);
        }
        // the last node's output is the graph's (a network has a layer,
        // so there is a Gemm node)
        let last = g.nodes.last_mut().expect("a Gemm node");
        last.output[0] = "y".into();
        let join = |items: Vec<String>| items.join(",");
        let mut meta = vec![
            (
                "sizes",
                join(self.sizes().iter().map(ToString::to_string).collect()),
            ),
            (
                "activations",
                join(self.activations().iter().map(ToString::to_string).collect()),
            ),
        ];
        if let Some(f) = self.features() {
            meta.push((
                "features",
                join(f.iter().map(ToString::to_string).collect()),
            ));
        }
        let model = ModelProto {
            ir_version: Some(ONNX_IR_VERSION),
            producer_name: "xiaolan".into(),
            producer_version: env!("CARGO_PKG_VERSION").into(),
            doc_string: self.to_string(),
            graph: Some(GraphProto {
                node: g.nodes,
                name: "mlp".into(),
                initializer: g.constants,
                input: vec![value(input, width)],
                output: vec![value("y", self.outputs())],
            }),
            opset_import: vec![OperatorSetIdProto {
                domain: String::new(),
                version: Some(ONNX_OPSET),
            }],
            metadata_props: meta
                .into_iter()
                .map(|(k, v)| StringStringEntryProto {
                    key: k.into(),
                    value: v,
                })
                .collect(),
        };
        model.to_bytes()
    }

    /// Writes [`Mlp::to_onnx`]'s model to `path`, atomically (see
    /// [`io::write_atomic`]).
    ///
    /// # Errors
    /// [`crate::Error::Io`] if the file cannot be written; the old file, if
    /// any, is then unchanged.
    pub fn save_onnx(&self, path: impl AsRef<Path>) -> Result<()> {
        let bytes = self.to_onnx();
        io::write_atomic(path, |w| w.write_all(&bytes))
    }
}
