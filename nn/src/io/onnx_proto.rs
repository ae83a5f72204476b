//! The part of the ONNX schema the exporter writes, as `prost` messages.
//!
//! Field names, numbers and types are copied from `onnx/onnx.proto` of the
//! ONNX project (`syntax = "proto2"`, package `onnx`), messages
//! `ModelProto`, `OperatorSetIdProto`, `StringStringEntryProto`,
//! `GraphProto`, `NodeProto`, `AttributeProto`, `ValueInfoProto`,
//! `TypeProto` (with `TypeProto.Tensor`), `TensorShapeProto` (with
//! `TensorShapeProto.Dimension`) and `TensorProto`. Fields the exporter does
//! not use are left out (a reader sees them absent, as the schema allows).
//!
//! Where proto2 tells an absent field from a default one and the reader
//! cares (an attribute's value, a dimension's oneof), the field is an
//! `Option` and is always written; a oneof of the schema is written as its
//! optional fields, which is the same on the wire. Repeated integers the
//! schema does not declare `packed` are written unpacked.
//!
//! The same structs read a model back ([`ModelProto::from_bytes`]): a test
//! decodes an exported file and looks at its graph without ONNX installed.
//! A field the subset leaves out is skipped on reading, as every protobuf
//! reader skips fields it does not know.

use crate::error::{Error, Result};
use prost::Message;

/// `message ModelProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    /// `optional int64 ir_version = 1;`
    #[prost(int64, optional, tag = "1")]
    pub ir_version: Option<i64>,
    /// `optional string producer_name = 2;`
    #[prost(string, tag = "2")]
    pub producer_name: String,
    /// `optional string producer_version = 3;`
    #[prost(string, tag = "3")]
    pub producer_version: String,
    /// `optional string doc_string = 6;`
    #[prost(string, tag = "6")]
    pub doc_string: String,
    /// `optional GraphProto graph = 7;`
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    /// `repeated OperatorSetIdProto opset_import = 8;`
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    /// `repeated StringStringEntryProto metadata_props = 14;`
    #[prost(message, repeated, tag = "14")]
    pub metadata_props: Vec<StringStringEntryProto>,
}

impl ModelProto {
    /// Decodes the bytes of an ONNX model (a `.onnx` file).
    ///
    /// ```
    /// use nn::io::onnx_proto::ModelProto;
    /// use nn::prelude::*;
    /// let mlp = Mlp::<f32>::new(&[2, 3, 1], &[Activation::Relu, Activation::Sigmoid], Init::Xavier, 1)?;
    /// let bytes = mlp.to_onnx();
    /// let model = ModelProto::from_bytes(&bytes)?;
    /// let graph = model.graph.as_ref().unwrap();
    /// let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
    /// assert_eq!(ops, ["Gemm", "Relu", "Gemm", "Sigmoid"]);
    /// assert_eq!(model.opset_import[0].version, Some(nn::layers::ONNX_OPSET));
    /// // xiaolan's own model reads back to the same bytes
    /// assert_eq!(model.to_bytes(), bytes);
    /// assert!(ModelProto::from_bytes(b"not protobuf").is_err());
    /// # Ok::<(), nn::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Invalid`] if the bytes are not a protobuf `ModelProto`
    /// (the message says where the decoder stopped).
    pub fn from_bytes(bytes: &[u8]) -> Result<ModelProto> {
        ModelProto::decode(bytes).map_err(|e| {
            Error::invalid(
                "ONNX model",
                "the protobuf bytes of an ONNX ModelProto",
                format!("{} bytes that do not decode: {e}", bytes.len()),
            )
        })
    }

    /// The model's bytes, as a `.onnx` file holds them.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }
}

/// `message OperatorSetIdProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    /// `optional string domain = 1;` (empty: the default ONNX domain)
    #[prost(string, tag = "1")]
    pub domain: String,
    /// `optional int64 version = 2;`
    #[prost(int64, optional, tag = "2")]
    pub version: Option<i64>,
}

/// `message StringStringEntryProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringStringEntryProto {
    /// `optional string key = 1;`
    #[prost(string, tag = "1")]
    pub key: String,
    /// `optional string value = 2;`
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `message GraphProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    /// `repeated NodeProto node = 1;`
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// `optional string name = 2;`
    #[prost(string, tag = "2")]
    pub name: String,
    /// `repeated TensorProto initializer = 5;`
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// `repeated ValueInfoProto input = 11;`
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// `repeated ValueInfoProto output = 12;`
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

/// `message NodeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    /// `repeated string input = 1;`
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// `repeated string output = 2;`
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// `optional string name = 3;`
    #[prost(string, tag = "3")]
    pub name: String,
    /// `optional string op_type = 4;`
    #[prost(string, tag = "4")]
    pub op_type: String,
    /// `repeated AttributeProto attribute = 5;`
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
}

/// `AttributeProto.AttributeType.FLOAT`.
pub const ATTRIBUTE_FLOAT: i32 = 1;
/// `AttributeProto.AttributeType.INT`.
pub const ATTRIBUTE_INT: i32 = 2;

/// `message AttributeProto`: a float or an integer attribute.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    /// `optional string name = 1;`
    #[prost(string, tag = "1")]
    pub name: String,
    /// `optional float f = 2;`
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    /// `optional int64 i = 3;`
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    /// `optional AttributeType type = 20;`
    #[prost(int32, optional, tag = "20")]
    pub r#type: Option<i32>,
}

/// `message ValueInfoProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    /// `optional string name = 1;`
    #[prost(string, tag = "1")]
    pub name: String,
    /// `optional TypeProto type = 2;`
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
}

/// `message TypeProto`, its `oneof value` holding a tensor type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProto {
    /// `Tensor tensor_type = 1;` (in `oneof value`)
    #[prost(message, optional, tag = "1")]
    pub tensor_type: Option<TypeProtoTensor>,
}

/// `message TypeProto.Tensor`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProtoTensor {
    /// `optional int32 elem_type = 1;` (a `TensorProto.DataType`)
    #[prost(int32, optional, tag = "1")]
    pub elem_type: Option<i32>,
    /// `optional TensorShapeProto shape = 2;`
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
}

/// `message TensorShapeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// `repeated Dimension dim = 1;`
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<Dimension>,
}

/// `message TensorShapeProto.Dimension`: `oneof value { int64 dim_value = 1;
/// string dim_param = 2; }`, one of the two set.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dimension {
    /// `int64 dim_value = 1;`
    #[prost(int64, optional, tag = "1")]
    pub dim_value: Option<i64>,
    /// `string dim_param = 2;`
    #[prost(string, optional, tag = "2")]
    pub dim_param: Option<String>,
}

/// `TensorProto.DataType.FLOAT`.
pub const FLOAT: i32 = 1;
/// `TensorProto.DataType.INT64`.
pub const INT64: i32 = 7;

/// `message TensorProto`: a constant, its elements in `raw_data`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// `repeated int64 dims = 1;`
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    /// `optional int32 data_type = 2;`
    #[prost(int32, optional, tag = "2")]
    pub data_type: Option<i32>,
    /// `optional string name = 8;`
    #[prost(string, tag = "8")]
    pub name: String,
    /// `optional bytes raw_data = 9;` (fixed-width little-endian elements)
    #[prost(bytes = "vec", optional, tag = "9")]
    pub raw_data: Option<Vec<u8>>,
}
