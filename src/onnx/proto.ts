/**
 * The subset of the ONNX protobuf schema (onnx.proto, IR version 8) that kensa writes and reads:
 * models, graphs, nodes, attributes, tensors and value infos. Field numbers follow onnx.proto;
 * sparse tensors, functions and training info are not used.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto2";
package onnx;

message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
  optional string doc_string = 12;
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
}

message TensorShapeProto {
  message Dimension {
    oneof value { int64 dim_value = 1; string dim_param = 2; }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  optional string denotation = 6;
}

message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }

message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  optional GraphProto g = 6;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  repeated TensorProto tensors = 10;
  repeated GraphProto graphs = 11;
  optional string doc_string = 13;
  optional int32 type = 20;
  optional string ref_attr_name = 21;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  optional string domain = 7;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

/** ONNX TensorProto.DataType values used by kensa. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

/** AttributeProto.AttributeType values. */
export const OnnxAttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

export interface TensorProto {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  name?: string;
  rawData?: Uint8Array;
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
}

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface DimensionProto {
  dimValue?: number;
  dimParam?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: DimensionProto[] } } };
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
}

export interface ModelProto {
  irVersion: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  graph: GraphProto;
  opsetImport: { domain?: string; version: number }[];
  metadataProps?: { key: string; value: string }[];
}

const root = protobuf.parse(SCHEMA, { keepCase: false }).root;
const ModelType = root.lookupType('onnx.ModelProto');

export function encodeModel(model: ModelProto): Uint8Array {
  return ModelType.encode(ModelType.fromObject(model)).finish();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  const message = ModelType.decode(bytes);
  return ModelType.toObject(message, { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as ModelProto;
}
