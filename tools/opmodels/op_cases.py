"""The op-model cases: each is a tiny tf.function plus how to quantize it.

A case's `build(rng)` draws its weights from `rng` (seeded by the case name) and returns the
function to convert. `ranges` gives each input's representative (calibration) range, which sets
its quantization scale; different ranges give inputs different scales on purpose.
"""
import numpy as np
import tensorflow as tf

import edits


class Case:
    def __init__(self, name, inputs, build, about, io="int8", per_channel=True, ranges=None,
                 outputs=1, expect=(), sample_real=None, edit=None, refused=None):
        self.name = name
        self.inputs = inputs
        self.build = build
        self.about = about
        self.io = (io, io) if isinstance(io, str) else io
        self.per_channel = per_channel
        self.ranges = ranges or [(-1.0, 1.0)] * len(inputs)
        self.outputs = outputs
        self.expect = expect
        # Real-valued range to draw quantized samples from (default: the whole integer range).
        self.sample_real = sample_real
        # A flatbuffer edit (edits.py) for what the converter never emits.
        self.edit = edit
        # Why TFLite Micro refuses the case, when it is known to (kept to document the gap).
        self.refused = refused


def const(rng, shape, scale=0.5):
    return tf.constant(rng.uniform(-scale, scale, shape).astype(np.float32))


def act(name):
    return {"none": lambda x: x, "relu": tf.nn.relu, "relu6": tf.nn.relu6,
            "relu_n1_to_1": lambda x: tf.clip_by_value(x, -1.0, 1.0)}[name]


# ---- convolutions -------------------------------------------------------------------------

def conv(shape, filt, out_c, stride=1, padding="SAME", dilation=1, bias=True, activation="none", groups=1):
    def build(rng):
        w = const(rng, [filt, filt, shape[3] // groups, out_c])
        b = const(rng, [out_c], 0.2)

        def f(x):
            y = tf.nn.conv2d(x, w, strides=stride, padding=padding, dilations=dilation)
            return act(activation)(y + b if bias else y)
        return f
    return build


def depthwise(shape, filt, multiplier=1, stride=1, padding="SAME", dilation=1, bias=True, activation="none"):
    def build(rng):
        w = const(rng, [filt, filt, shape[3], multiplier])
        b = const(rng, [shape[3] * multiplier], 0.2)

        def f(x):
            y = tf.nn.depthwise_conv2d(x, w, strides=[1, stride, stride, 1], padding=padding,
                                       dilations=[dilation, dilation])
            return act(activation)(y + b if bias else y)
        return f
    return build


def dense(in_shape, units, bias=True, activation="none"):
    def build(rng):
        w = const(rng, [in_shape[-1], units])
        b = const(rng, [units], 0.2)

        def f(x):
            y = tf.matmul(x, w)
            return act(activation)(y + b if bias else y)
        return f
    return build


def conv_cases():
    c = []
    c.append(Case("conv_3x3_same_relu", [[1, 8, 8, 3]], conv([1, 8, 8, 3], 3, 4, activation="relu"),
                  "3x3 SAME stride 1, bias, fused RELU", expect=["CONV_2D"]))
    c.append(Case("conv_3x3_s2_valid_relu6", [[1, 9, 9, 3]], conv([1, 9, 9, 3], 3, 5, stride=2, padding="VALID",
                  activation="relu6"), "3x3 VALID stride 2, fused RELU6", expect=["CONV_2D"]))
    c.append(Case("conv_3x3_s2_same_odd", [[1, 9, 7, 2]], conv([1, 9, 7, 2], 3, 4, stride=2),
                  "3x3 SAME stride 2 on 9x7 (padding on both sides)", expect=["CONV_2D"]))
    c.append(Case("conv_2x2_s2_same_even", [[1, 8, 6, 3]], conv([1, 8, 6, 3], 2, 4, stride=2, activation="relu"),
                  "2x2 SAME stride 2 on 8x6, fused RELU", expect=["CONV_2D"]))
    c.append(Case("conv_dil2_same_nobias", [[1, 9, 9, 3]], conv([1, 9, 9, 3], 3, 4, dilation=2, bias=False),
                  "3x3 dilation 2 SAME, no bias", expect=["CONV_2D"]))
    c.append(Case("conv_dil2_valid", [[1, 10, 10, 2]], conv([1, 10, 10, 2], 3, 3, padding="VALID", dilation=2),
                  "3x3 dilation 2 VALID", expect=["CONV_2D"]))
    c.append(Case("conv_pt_3x3_same_relu", [[1, 8, 8, 3]], conv([1, 8, 8, 3], 3, 4, activation="relu"),
                  "3x3 SAME, per-tensor weights, fused RELU", per_channel=False, expect=["CONV_2D"]))
    c.append(Case("conv_pt_s2_valid_nobias", [[1, 7, 7, 4]], conv([1, 7, 7, 4], 3, 3, stride=2, padding="VALID",
                  bias=False), "3x3 VALID stride 2, per-tensor weights, no bias", per_channel=False,
                  expect=["CONV_2D"]))
    c.append(Case("conv_1x1_relu6", [[1, 5, 5, 8]], conv([1, 5, 5, 8], 1, 6, activation="relu6"),
                  "1x1 pointwise, fused RELU6", expect=["CONV_2D"]))
    c.append(Case("conv_grouped", [[1, 6, 6, 4]], conv([1, 6, 6, 4], 3, 6, groups=2),
                  "3x3 SAME, 2 groups (filter in-depth 2 of 4 input channels)", expect=["CONV_2D"]))
    c.append(Case("dw_3x3_same_relu", [[1, 8, 8, 4]], depthwise([1, 8, 8, 4], 3, activation="relu"),
                  "depthwise 3x3 SAME, multiplier 1, fused RELU", expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_mult2_s2_valid_relu6", [[1, 9, 9, 3]], depthwise([1, 9, 9, 3], 3, multiplier=2, stride=2,
                  padding="VALID", activation="relu6"), "depthwise multiplier 2, VALID stride 2, RELU6",
                  expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_mult2_s2_same", [[1, 8, 7, 2]], depthwise([1, 8, 7, 2], 5, multiplier=2, stride=2),
                  "depthwise 5x5 multiplier 2, SAME stride 2", expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_dil2_same_nobias", [[1, 9, 9, 4]], depthwise([1, 9, 9, 4], 3, dilation=2, bias=False),
                  "depthwise 3x3 dilation 2 SAME, no bias", expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_pt_3x3_same", [[1, 6, 6, 4]], depthwise([1, 6, 6, 4], 3, multiplier=2, activation="relu6"),
                  "depthwise multiplier 2, per-tensor weights, RELU6", per_channel=False,
                  expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("fc_bias_relu", [[1, 16]], dense([1, 16], 8, activation="relu"),
                  "fully connected with bias, fused RELU", expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_nobias", [[2, 12]], dense([2, 12], 5, bias=False),
                  "fully connected without bias, batch 2", expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_keepdims_relu6", [[1, 4, 16]], dense([1, 4, 16], 6, activation="relu6"),
                  "rank-3 input (keep_num_dims), fused RELU6", expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_pt", [[3, 10]], dense([3, 10], 7),
                  "fully connected, per-tensor weights", per_channel=False, expect=["FULLY_CONNECTED"]))
    return c


# ---- pooling, shapes, data movement --------------------------------------------------------

def fn(f):
    """A case without weights."""
    return lambda rng: f


def pool_cases():
    c = []
    c.append(Case("avgpool_2x2_s2_valid", [[1, 8, 8, 3]],
                  fn(lambda x: tf.nn.avg_pool2d(x, 2, 2, "VALID")), "2x2 VALID stride 2",
                  expect=["AVERAGE_POOL_2D"]))
    c.append(Case("avgpool_3x3_s2_same", [[1, 7, 8, 2]],
                  fn(lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME")),
                  "3x3 SAME stride 2 on 7x8 (edge windows average fewer elements)", expect=["AVERAGE_POOL_2D"]))
    c.append(Case("avgpool_3x3_s1_same_relu6", [[1, 5, 5, 4]],
                  fn(lambda x: tf.nn.relu6(tf.nn.avg_pool2d(x, 3, 1, "SAME"))),
                  "3x3 SAME stride 1, then RELU6 (fused if the converter fuses it)", ranges=[(-3.0, 8.0)],
                  expect=["AVERAGE_POOL_2D"]))
    c.append(Case("maxpool_2x2_s2_same_odd", [[1, 7, 7, 3]],
                  fn(lambda x: tf.nn.max_pool2d(x, 2, 2, "SAME")), "2x2 SAME stride 2 on 7x7",
                  expect=["MAX_POOL_2D"]))
    c.append(Case("maxpool_3x3_s2_valid_relu", [[1, 9, 9, 2]],
                  fn(lambda x: tf.nn.relu(tf.nn.max_pool2d(x, 3, 2, "VALID"))),
                  "3x3 VALID stride 2, then RELU", expect=["MAX_POOL_2D"]))
    c.append(Case("reshape_4d_2d", [[1, 4, 3, 2]], fn(lambda x: tf.reshape(x, [1, 24])),
                  "RESHAPE [1,4,3,2] -> [1,24]", expect=["RESHAPE"]))
    c.append(Case("squeeze_axis1", [[1, 1, 6, 4]], fn(lambda x: tf.squeeze(x, axis=[1])),
                  "SQUEEZE of axis 1 (the converter's RESHAPE, edited)", edit=edits.reshape_to_squeeze([1]),
                  expect=["SQUEEZE"]))
    c.append(Case("squeeze_all", [[1, 5, 1, 3]], fn(lambda x: tf.squeeze(x)),
                  "SQUEEZE of every size-1 axis (empty squeeze_dims, edited)", edit=edits.reshape_to_squeeze([]),
                  expect=["SQUEEZE"]))
    c.append(Case("squeeze_negative_axes", [[2, 1, 3, 1]], fn(lambda x: tf.squeeze(x, axis=[-1, -3])),
                  "SQUEEZE of axes -1 and -3 (edited)", edit=edits.reshape_to_squeeze([-1, -3]),
                  expect=["SQUEEZE"]))
    c.append(Case("transpose_3d", [[2, 3, 4]], fn(lambda x: tf.transpose(x, [2, 0, 1])),
                  "TRANSPOSE 3-D perm [2,0,1]", expect=["TRANSPOSE"]))
    c.append(Case("transpose_4d", [[1, 3, 4, 5]], fn(lambda x: tf.transpose(x, [0, 3, 1, 2])),
                  "TRANSPOSE 4-D NHWC->NCHW", expect=["TRANSPOSE"]))
    c.append(Case("transpose_5d", [[2, 2, 3, 4, 3]], fn(lambda x: tf.transpose(x, [4, 2, 0, 3, 1])),
                  "TRANSPOSE 5-D perm [4,2,0,3,1]", expect=["TRANSPOSE"]))
    c.append(Case("pad_4d_hw", [[1, 4, 5, 3]], fn(lambda x: tf.pad(x, [[0, 0], [1, 2], [2, 1], [0, 0]])),
                  "PAD 4-D, height and width, asymmetric", ranges=[(0.5, 3.0)], expect=["PAD"]))
    c.append(Case("pad_4d_all", [[1, 2, 3, 2]], fn(lambda x: tf.pad(x, [[1, 0], [0, 1], [1, 1], [2, 1]])),
                  "PAD 4-D on every axis", expect=["PAD"]))
    c.append(Case("pad_2d", [[3, 5]], fn(lambda x: tf.pad(x, [[1, 1], [0, 3]])),
                  "PAD 2-D", ranges=[(-2.0, -0.5)], expect=["PAD"]))
    c.append(Case("concat_same_range", [[1, 4, 4, 3], [1, 4, 4, 2]], fn(lambda a, b: tf.concat([a, b], axis=3)),
                  "CONCATENATION on channels, inputs calibrated alike", expect=["CONCATENATION"]))
    c.append(Case("concat_diff_scales", [[1, 3, 4], [1, 2, 4]], fn(lambda a, b: tf.concat([a, b], axis=1)),
                  "CONCATENATION of inputs calibrated to ranges 1 and 6 apart", ranges=[(-1.0, 1.0), (-6.0, 5.0)],
                  expect=["CONCATENATION"]))
    c.append(Case("concat_requantized", [[1, 3, 4], [1, 2, 4]],
                  fn(lambda a, b: tf.concat([tf.tanh(a), tf.nn.relu(b)], axis=1)),
                  "CONCATENATION of TANH (scale 1/128) and RELU outputs of other scales",
                  ranges=[(-2.0, 2.0), (-1.0, 5.0)], expect=["CONCATENATION"]))
    c.append(Case("concat_three_axis_last", [[2, 3], [2, 1], [2, 4]],
                  fn(lambda a, b, d: tf.concat([a, b, d], axis=-1)), "CONCATENATION of three inputs, last axis",
                  ranges=[(-1.0, 1.0), (-2.0, 2.0), (0.0, 3.0)], expect=["CONCATENATION"]))
    c.append(Case("strided_slice_basic", [[1, 6, 8, 3]], fn(lambda x: x[:, 1:5, 2:7, :]),
                  "STRIDED_SLICE begin/end with begin and end masks", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_strides", [[1, 7, 9, 4]], fn(lambda x: x[:, ::2, 1::3, 1:]),
                  "STRIDED_SLICE strides 2 and 3", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_negative", [[1, 6, 8, 2]], fn(lambda x: x[:, ::-1, 6:1:-2, :]),
                  "STRIDED_SLICE negative strides", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_shrink", [[2, 5, 6]], fn(lambda x: x[1, :, 2:5]),
                  "STRIDED_SLICE with shrink_axis_mask", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_ellipsis", [[1, 4, 5, 6]], fn(lambda x: x[..., 1:4]),
                  "STRIDED_SLICE with an ellipsis", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_3d_neg_index", [[3, 4, 5]], fn(lambda x: x[-2:, 1:-1, -1:-5:-1]),
                  "STRIDED_SLICE with negative indices and a negative stride", expect=["STRIDED_SLICE"]))
    return c


# ---- arithmetic, reductions, activations --------------------------------------------------

def with_const(shape, scale, f):
    """A one-input case whose second operand is a constant drawn from the case's generator."""
    def build(rng):
        w = const(rng, shape, scale)
        return lambda x: f(x, w)
    return build


def binary_cases():
    c = []
    c.append(Case("add_diff_scales", [[1, 4, 4, 3], [1, 4, 4, 3]], fn(lambda a, b: a + b),
                  "ADD, same shape, input ranges 1 and 4", ranges=[(-1.0, 1.0), (-4.0, 4.0)], expect=["ADD"]))
    c.append(Case("add_broadcast_relu", [[1, 4, 4, 3], [1, 1, 1, 3]], fn(lambda a, b: tf.nn.relu(a + b)),
                  "ADD broadcasting [1,1,1,3], fused RELU", ranges=[(-1.0, 1.0), (-0.5, 2.0)], expect=["ADD"]))
    c.append(Case("add_broadcast_rows_relu6", [[2, 1, 5], [1, 3, 1]], fn(lambda a, b: tf.nn.relu6(a + b)),
                  "ADD broadcasting both inputs, fused RELU6", ranges=[(-3.0, 5.0), (-1.0, 4.0)], expect=["ADD"]))
    c.append(Case("add_const", [[1, 3, 3, 4]],
                  with_const([4], 2.0, lambda x, w: x + w), "ADD of a constant vector",
                  expect=["ADD"]))
    c.append(Case("sub_diff_scales", [[1, 5, 6], [1, 5, 6]], fn(lambda a, b: a - b),
                  "SUB, input ranges 1 and 3", ranges=[(-1.0, 1.0), (-3.0, 2.0)], expect=["SUB"]))
    c.append(Case("sub_broadcast_relu6", [[1, 4, 4, 3], [1, 4, 1, 3]], fn(lambda a, b: tf.nn.relu6(a - b)),
                  "SUB broadcasting, fused RELU6", ranges=[(-2.0, 6.0), (-2.0, 2.0)], expect=["SUB"]))
    c.append(Case("sub_broadcast_relu", [[3, 1], [1, 4]], fn(lambda a, b: tf.nn.relu(b - a)),
                  "SUB broadcasting an outer difference, fused RELU", ranges=[(-1.0, 1.0), (0.0, 2.0)],
                  expect=["SUB"]))
    c.append(Case("mul_diff_scales", [[1, 4, 4, 3], [1, 4, 4, 3]], fn(lambda a, b: a * b),
                  "MUL, input ranges 1 and 5", ranges=[(-1.0, 1.0), (-5.0, 5.0)], expect=["MUL"]))
    c.append(Case("mul_broadcast_relu", [[1, 4, 4, 3], [1, 1, 1, 3]], fn(lambda a, b: tf.nn.relu(a * b)),
                  "MUL broadcasting, fused RELU", ranges=[(-2.0, 2.0), (-1.0, 3.0)], expect=["MUL"]))
    c.append(Case("mul_broadcast_relu6", [[2, 3, 1], [1, 1, 4]], fn(lambda a, b: tf.nn.relu6(a * b)),
                  "MUL broadcasting both inputs, fused RELU6", ranges=[(-4.0, 4.0), (-3.0, 3.0)], expect=["MUL"]))
    c.append(Case("mul_const", [[1, 6, 4]], with_const([6, 1], 3.0, lambda x, w: x * w),
                  "MUL by a constant", expect=["MUL"]))
    c.append(Case("bmm_plain", [[1, 4, 8], [1, 8, 6]], fn(lambda a, b: tf.matmul(a, b)),
                  "BATCH_MATMUL of two inputs", ranges=[(-1.0, 1.0), (-2.0, 2.0)], expect=["BATCH_MATMUL"]))
    c.append(Case("bmm_adj_x", [[2, 8, 4], [2, 8, 5]], fn(lambda a, b: tf.matmul(a, b, adjoint_a=True)),
                  "BATCH_MATMUL adj_x", expect=["BATCH_MATMUL"]))
    c.append(Case("bmm_adj_y", [[2, 3, 7], [2, 5, 7]], fn(lambda a, b: tf.matmul(a, b, adjoint_b=True)),
                  "BATCH_MATMUL adj_y", ranges=[(-1.0, 1.0), (-0.5, 1.5)], expect=["BATCH_MATMUL"]))
    c.append(Case("bmm_broadcast", [[2, 3, 4, 6], [1, 6, 5]], fn(lambda a, b: tf.matmul(a, b)),
                  "BATCH_MATMUL broadcasting the batch dims", expect=["BATCH_MATMUL"]))
    return c


def reduce_cases():
    c = []
    c.append(Case("mean_hw_keep", [[1, 5, 4, 3]], fn(lambda x: tf.reduce_mean(x, axis=[1, 2], keepdims=True)),
                  "MEAN over H,W, keep_dims", expect=["MEAN"]))
    c.append(Case("mean_hw_nokeep", [[2, 3, 4, 5]], fn(lambda x: tf.reduce_mean(x, axis=[1, 2])),
                  "MEAN over H,W, keep_dims false", ranges=[(-0.5, 2.0)], expect=["MEAN"]))
    c.append(Case("mean_last_nokeep", [[1, 6, 8]], fn(lambda x: tf.reduce_mean(x, axis=-1)),
                  "MEAN over the last axis", expect=["MEAN"]))
    c.append(Case("mean_axis1_keep", [[2, 7, 3]], fn(lambda x: tf.reduce_mean(x, axis=1, keepdims=True)),
                  "MEAN over a middle axis, keep_dims", ranges=[(-3.0, 1.0)], expect=["MEAN"]))
    c.append(Case("mean_all", [[1, 3, 4, 2]], fn(lambda x: tf.reduce_mean(x, axis=[1, 2, 3])),
                  "MEAN over three axes", expect=["MEAN"]))
    c.append(Case("rsqrt", [[1, 32]], fn(tf.math.rsqrt), "RSQRT", ranges=[(0.05, 4.0)],
                  sample_real=(0.0, 4.0), expect=["RSQRT"]))
    c.append(Case("softmax_2d", [[2, 10]], fn(tf.nn.softmax), "SOFTMAX over 10 classes", ranges=[(-4.0, 4.0)],
                  expect=["SOFTMAX"]))
    c.append(Case("softmax_of_scaled", [[1, 12]], fn(lambda x: tf.nn.softmax(x * 0.4)),
                  "SOFTMAX of x*0.4: the converter keeps a MUL, beta stays 1", ranges=[(-8.0, 8.0)], expect=["SOFTMAX"]))
    c.append(Case("softmax_beta_0_4", [[1, 12]], fn(tf.nn.softmax), "SOFTMAX with beta 0.4 (edited)",
                  ranges=[(-8.0, 8.0)], edit=edits.softmax_beta(0.4), expect=["SOFTMAX"]))
    c.append(Case("softmax_beta_3", [[2, 2, 5]], fn(tf.nn.softmax), "SOFTMAX with beta 3 (edited), rank 3",
                  ranges=[(-2.0, 2.0)], edit=edits.softmax_beta(3.0), expect=["SOFTMAX"]))
    c.append(Case("softmax_3d", [[1, 4, 6]], fn(tf.nn.softmax), "SOFTMAX of a rank-3 tensor",
                  ranges=[(-10.0, 10.0)], expect=["SOFTMAX"]))
    return c


def hard_swish(x):
    return x * tf.nn.relu6(x + 3.0) * (1.0 / 6.0)


def activation_cases():
    c = []
    c.append(Case("logistic", [[1, 64]], fn(tf.sigmoid), "LOGISTIC", ranges=[(-6.0, 6.0)], expect=["LOGISTIC"]))
    c.append(Case("logistic_narrow", [[4, 9]], fn(tf.sigmoid), "LOGISTIC of a narrow input range",
                  ranges=[(-0.5, 1.0)], expect=["LOGISTIC"]))
    c.append(Case("tanh", [[1, 64]], fn(tf.tanh), "TANH", ranges=[(-3.0, 3.0)], expect=["TANH"]))
    c.append(Case("tanh_wide", [[2, 3, 7]], fn(tf.tanh), "TANH of a wide input range",
                  ranges=[(-9.0, 6.0)], expect=["TANH"]))
    c.append(Case("hard_swish", [[1, 8, 8]], fn(hard_swish), "HARD_SWISH", ranges=[(-5.0, 5.0)],
                  expect=["HARD_SWISH"]))
    c.append(Case("hard_swish_asym", [[2, 40]], fn(hard_swish), "HARD_SWISH of an asymmetric range",
                  ranges=[(-1.5, 7.0)], expect=["HARD_SWISH"]))
    c.append(Case("relu", [[1, 64]], fn(tf.nn.relu), "RELU", ranges=[(-2.0, 2.0)], expect=["RELU"]))
    c.append(Case("relu_4d", [[1, 4, 4, 3]], fn(tf.nn.relu), "RELU, 4-D, mostly positive range",
                  ranges=[(-0.3, 5.0)], expect=["RELU"]))
    c.append(Case("relu6", [[1, 64]], fn(tf.nn.relu6), "RELU6", ranges=[(-3.0, 8.0)], expect=["RELU6"]))
    c.append(Case("relu6_narrow", [[3, 11]], fn(tf.nn.relu6), "RELU6 of a range inside (0, 6)",
                  ranges=[(-1.0, 4.0)], expect=["RELU6"]))
    return c


# ---- model boundaries: uint8 and float ----------------------------------------------------

def tiny_cnn(rng):
    w1 = const(rng, [3, 3, 3, 6])
    b1 = const(rng, [6], 0.2)
    w2 = const(rng, [3 * 3 * 6, 4])
    b2 = const(rng, [4], 0.2)

    def f(x):
        y = tf.nn.relu(tf.nn.conv2d(x, w1, strides=2, padding="SAME") + b1)
        y = tf.nn.max_pool2d(y, 2, 2, "VALID")
        y = tf.reshape(y, [1, 3 * 3 * 6])
        return tf.nn.softmax(tf.matmul(y, w2) + b2)
    return f


def mobile_block(rng):
    w1 = const(rng, [1, 1, 4, 8])
    w2 = const(rng, [3, 3, 8, 1])
    w3 = const(rng, [8, 3])
    b3 = const(rng, [3], 0.2)

    def f(x):
        y = hard_swish(tf.nn.conv2d(x, w1, strides=1, padding="SAME"))
        y = tf.nn.relu6(tf.nn.depthwise_conv2d(y, w2, strides=[1, 1, 1, 1], padding="SAME"))
        y = tf.reduce_mean(y, axis=[1, 2])
        return tf.sigmoid(tf.matmul(y, w3) + b3)
    return f


def boundary_cases():
    c = []
    c.append(Case("io_uint8_cnn", [[1, 12, 12, 3]], tiny_cnn,
                  "uint8 in and out: QUANTIZE, CONV_2D, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED, SOFTMAX",
                  io="uint8", ranges=[(0.0, 1.0)], expect=["QUANTIZE", "CONV_2D", "SOFTMAX"]))
    c.append(Case("io_uint8_cnn_pt", [[1, 12, 12, 3]], tiny_cnn, "as io_uint8_cnn, per-tensor weights",
                  io="uint8", per_channel=False, ranges=[(-1.0, 1.0)], expect=["QUANTIZE", "CONV_2D"]))
    c.append(Case("io_float_cnn", [[1, 12, 12, 3]], tiny_cnn, "float in and out: QUANTIZE/DEQUANTIZE at the ends",
                  io="float", ranges=[(-1.0, 1.0)], expect=["QUANTIZE", "DEQUANTIZE"]))
    c.append(Case("io_float_cnn_pt", [[1, 12, 12, 3]], tiny_cnn, "float in and out, per-tensor weights",
                  io="float", per_channel=False, ranges=[(0.0, 2.0)], expect=["QUANTIZE", "DEQUANTIZE"]))
    c.append(Case("io_uint8_in_int8_out", [[1, 6, 6, 4]], mobile_block,
                  "uint8 in, int8 out: conv, HARD_SWISH, depthwise, MEAN, FC, LOGISTIC",
                  io=("uint8", "int8"), ranges=[(-2.0, 2.0)], expect=["QUANTIZE", "HARD_SWISH", "LOGISTIC"]))
    c.append(Case("io_int8_in_uint8_out", [[1, 6, 6, 4]], mobile_block, "int8 in, uint8 out",
                  io=("int8", "uint8"), ranges=[(-1.0, 3.0)], expect=["QUANTIZE", "MEAN"]))
    c.append(Case("io_float_in_int8_out", [[1, 6, 6, 4]], mobile_block, "float in, int8 out",
                  io=("float", "int8"), expect=["QUANTIZE", "DEPTHWISE_CONV_2D"]))
    c.append(Case("io_int8_in_float_out", [[1, 6, 6, 4]], mobile_block, "int8 in, float out, per-tensor weights",
                  io=("int8", "float"), per_channel=False, expect=["DEQUANTIZE", "CONV_2D"]))
    c.append(Case("io_uint8_add", [[1, 4, 5], [1, 4, 5]], fn(lambda a, b: a + b), "uint8 in and out around ADD",
                  io="uint8", ranges=[(-1.0, 1.0), (0.0, 3.0)], expect=["QUANTIZE", "ADD"]))
    c.append(Case("io_float_fc", [[2, 9]], dense([2, 9], 4, activation="relu"), "float in and out around FC",
                  io="float", ranges=[(-3.0, 3.0)], expect=["QUANTIZE", "FULLY_CONNECTED", "DEQUANTIZE"]))
    c.append(Case("io_uint8_concat", [[1, 4], [1, 3]], fn(lambda a, b: tf.concat([a, b], axis=1)),
                  "uint8 in and out around CONCATENATION with different input ranges",
                  io="uint8", ranges=[(0.0, 1.0), (-2.0, 4.0)], expect=["QUANTIZE", "CONCATENATION"]))
    return c


def zeroed_conv(rng):
    w = rng.uniform(-0.5, 0.5, [3, 3, 3, 4]).astype(np.float32)
    w[..., 2] = 0.0
    b = const(rng, [4], 0.2)
    return lambda x: tf.nn.relu(tf.nn.conv2d(x, tf.constant(w), strides=1, padding="SAME") + b)


def zeroed_dense(rng):
    w = rng.uniform(-0.5, 0.5, [12, 5]).astype(np.float32)
    w[:, 1] = 0.0
    return lambda x: tf.matmul(x, tf.constant(w))


def edge_cases():
    """Sizes that reach the vector paths of the heavy kernels, extreme ranges, equal scales."""
    c = []
    c.append(Case("conv_1x1_wide", [[1, 4, 4, 32]], conv([1, 4, 4, 32], 1, 20, activation="relu"),
                  "1x1, 32 input channels, 20 outputs", expect=["CONV_2D"]))
    c.append(Case("conv_3x3_c16_s2_batch2", [[2, 5, 5, 16]], conv([2, 5, 5, 16], 3, 17, stride=2),
                  "3x3 SAME stride 2, 16 input channels, batch 2", expect=["CONV_2D"]))
    c.append(Case("conv_pt_c24", [[1, 3, 3, 24]], conv([1, 3, 3, 24], 3, 9, padding="VALID", activation="relu6"),
                  "3x3 VALID, 24 input channels, per-tensor", per_channel=False, expect=["CONV_2D"]))
    c.append(Case("conv_zero_channel", [[1, 5, 5, 3]], zeroed_conv,
                  "3x3 with an all-zero output channel (per-channel scale of a zero filter)", expect=["CONV_2D"]))
    c.append(Case("dw_c32_s2_same", [[1, 6, 6, 32]], depthwise([1, 6, 6, 32], 3, stride=2, activation="relu6"),
                  "depthwise 32 channels, SAME stride 2", expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_c1_mult8", [[1, 7, 5, 1]], depthwise([1, 7, 5, 1], 3, multiplier=8, padding="VALID"),
                  "depthwise 1 input channel, multiplier 8", expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_c20_mult3_pt", [[1, 4, 4, 20]], depthwise([1, 4, 4, 20], 3, multiplier=3),
                  "depthwise 20 channels, multiplier 3, per-tensor", per_channel=False,
                  expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("fc_wide", [[3, 64]], dense([3, 64], 33, activation="relu6"),
                  "fully connected 64 -> 33, batch 3", expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_wide_pt_nobias", [[2, 40]], dense([2, 40], 18, bias=False),
                  "fully connected 40 -> 18, per-tensor, no bias", per_channel=False, expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_zero_column", [[2, 12]], zeroed_dense,
                  "fully connected with an all-zero output column", expect=["FULLY_CONNECTED"]))
    c.append(Case("fc_4d_input", [[1, 2, 3, 8]], dense([1, 2, 3, 8], 5),
                  "fully connected on a rank-4 input", expect=["FULLY_CONNECTED"]))
    c.append(Case("bmm_deep", [[1, 5, 40], [1, 40, 7]], fn(lambda a, b: tf.matmul(a, b)),
                  "BATCH_MATMUL with depth 40", ranges=[(-1.0, 2.0), (-1.0, 1.0)], expect=["BATCH_MATMUL"]))
    c.append(Case("bmm_adj_both_4d", [[1, 2, 6, 3], [1, 2, 5, 6]],
                  fn(lambda a, b: tf.matmul(a, b, adjoint_a=True, adjoint_b=True)),
                  "BATCH_MATMUL adj_x and adj_y, rank 4", expect=["BATCH_MATMUL"]))
    c.append(Case("bmm_2d", [[4, 9], [9, 3]], fn(lambda a, b: tf.matmul(a, b)),
                  "BATCH_MATMUL of two rank-2 inputs", expect=["BATCH_MATMUL"]))
    c.append(Case("logistic_wide", [[2, 50]], fn(tf.sigmoid), "LOGISTIC of a range of ±40",
                  ranges=[(-40.0, 40.0)], expect=["LOGISTIC"]))
    c.append(Case("logistic_tiny", [[2, 50]], fn(tf.sigmoid), "LOGISTIC of a range of ±0.03",
                  ranges=[(-0.02, 0.03)], expect=["LOGISTIC"]))
    c.append(Case("tanh_tiny", [[2, 50]], fn(tf.tanh), "TANH of a range of ±0.05",
                  ranges=[(-0.05, 0.05)], expect=["TANH"]))
    c.append(Case("tanh_huge", [[2, 50]], fn(tf.tanh), "TANH of a range of ±30",
                  ranges=[(-30.0, 30.0)], expect=["TANH"]))
    c.append(Case("hard_swish_tiny", [[2, 50]], fn(hard_swish), "HARD_SWISH of a range of ±0.1",
                  ranges=[(-0.1, 0.1)], expect=["HARD_SWISH"]))
    c.append(Case("hard_swish_huge", [[2, 50]], fn(hard_swish), "HARD_SWISH of a range of -20..30",
                  ranges=[(-20.0, 30.0)], expect=["HARD_SWISH"]))
    c.append(Case("relu_positive", [[2, 30]], fn(tf.nn.relu), "RELU of a positive-only range",
                  ranges=[(0.5, 3.0)], expect=["RELU"]))
    c.append(Case("relu6_wide", [[2, 30]], fn(tf.nn.relu6), "RELU6 of a range of -40..50",
                  ranges=[(-40.0, 50.0)], expect=["RELU6"]))
    c.append(Case("rsqrt_small", [[1, 24]], fn(tf.math.rsqrt), "RSQRT of 0..0.01",
                  ranges=[(0.0005, 0.01)], sample_real=(0.0, 0.01), expect=["RSQRT"]))
    c.append(Case("rsqrt_large", [[1, 24]], fn(tf.math.rsqrt), "RSQRT of 0..1000",
                  ranges=[(10.0, 1000.0)], sample_real=(0.0, 1000.0), expect=["RSQRT"]))
    c.append(Case("softmax_wide", [[3, 7]], fn(tf.nn.softmax), "SOFTMAX of a range of ±100",
                  ranges=[(-100.0, 100.0)], expect=["SOFTMAX"]))
    c.append(Case("softmax_single", [[4, 1]], fn(tf.nn.softmax), "SOFTMAX over one class",
                  expect=["SOFTMAX"]))
    c.append(Case("mean_hw_same_quant", [[1, 5, 4, 3]], fn(lambda x: tf.reduce_mean(x, axis=[1, 2], keepdims=True)),
                  "MEAN over H,W with output quantization equal to the input's (edited)",
                  edit=edits.output_like_input(40), expect=["MEAN"]))
    c.append(Case("mean_axis1_same_quant", [[2, 7, 3]], fn(lambda x: tf.reduce_mean(x, axis=1)),
                  "MEAN over axis 1 with output quantization equal to the input's (edited)",
                  edit=edits.output_like_input(40), expect=["MEAN"]))
    c.append(Case("avgpool_global", [[1, 5, 5, 6]], fn(lambda x: tf.nn.avg_pool2d(x, 5, 1, "VALID")),
                  "5x5 VALID on 5x5: global average", expect=["AVERAGE_POOL_2D"]))
    c.append(Case("maxpool_1x1_s2", [[1, 6, 5, 2]], fn(lambda x: tf.nn.max_pool2d(x, 1, 2, "SAME")),
                  "1x1 stride 2: subsampling", expect=["MAX_POOL_2D"]))
    c.append(Case("strided_slice_clamped", [[2, 6, 4]], fn(lambda x: x[:, -10:10:3, 1:]),
                  "STRIDED_SLICE with begin and end beyond the axis", expect=["STRIDED_SLICE"]))
    c.append(Case("strided_slice_new_axis", [[3, 4, 5]], fn(lambda x: x[1:, tf.newaxis, ::2]),
                  "STRIDED_SLICE with a new axis", expect=["STRIDED_SLICE"]))
    c.append(Case("transpose_2d", [[5, 7]], fn(tf.transpose), "TRANSPOSE 2-D", expect=["TRANSPOSE"]))
    c.append(Case("transpose_6d", [[1, 2, 2, 3, 2, 2]], fn(lambda x: tf.transpose(x, [5, 3, 1, 4, 0, 2])),
                  "TRANSPOSE 6-D", expect=["TRANSPOSE"],
                  refused="TFLite Micro's TRANSPOSE prepare takes at most 5 dimensions (transpose_common.cc)"))
    c.append(Case("add_5d_broadcast", [[2, 1, 3, 1, 2], [1, 2, 1, 4, 1]], fn(lambda a, b: a + b),
                  "ADD broadcasting in 5-D", ranges=[(-1.0, 1.0), (-2.0, 0.5)], expect=["ADD"]))
    c.append(Case("mul_5d_broadcast", [[2, 1, 3, 1, 2], [1, 2, 1, 4, 1]], fn(lambda a, b: a * b),
                  "MUL broadcasting in 5-D", ranges=[(-1.0, 1.0), (-2.0, 0.5)], expect=["MUL"]))
    c.append(Case("sub_equal_scales", [[1, 3, 5]], fn(lambda a: a[:, :, :2] - a[:, :, 3:]),
                  "SUB of two slices of one input (equal scales)", expect=["SUB"]))
    c.append(Case("pad_5d", [[1, 2, 2, 2, 2]], fn(lambda x: tf.pad(x, [[0, 0], [1, 0], [0, 1], [1, 1], [0, 2]])),
                  "PAD 5-D", expect=["PAD"]))
    c.append(Case("concat_axis0_4d", [[1, 2, 2, 3], [2, 2, 2, 3]], fn(lambda a, b: tf.concat([a, b], axis=0)),
                  "CONCATENATION on axis 0", expect=["CONCATENATION"]))
    c.append(Case("io_uint8_rescaled", [[1, 4, 6]], fn(tf.nn.relu6),
                  "uint8 in and out with scales and zero points not 128 apart (edited): requantizing QUANTIZE",
                  io="uint8", ranges=[(-2.0, 7.0)],
                  edit=edits.chain(edits.rescale_tensor("input", 1.7, -9), edits.rescale_tensor("output", 0.6, 21)),
                  expect=["QUANTIZE", "RELU6"]))
    return c


def residual(rng):
    w1 = const(rng, [3, 3, 4, 4])
    w2 = const(rng, [3, 3, 4, 4])

    def f(x):
        y = tf.nn.relu(tf.nn.conv2d(x, w1, strides=1, padding="SAME"))
        z = tf.nn.conv2d(y, w2, strides=1, padding="SAME")
        return tf.nn.relu(y + z)
    return f


def two_outputs(rng):
    w = const(rng, [6, 4])

    def f(x):
        h = tf.matmul(x, w)
        return tf.nn.softmax(h), tf.tanh(h)
    return f


def branches(rng):
    w1 = const(rng, [1, 1, 3, 4])
    w2 = const(rng, [3, 3, 3, 2])

    def f(x):
        a = tf.nn.relu6(tf.nn.conv2d(x, w1, strides=1, padding="SAME"))
        b = tf.nn.conv2d(x, w2, strides=1, padding="SAME")
        m = tf.nn.max_pool2d(x, 3, 1, "SAME")
        return tf.concat([a, b, m], axis=3)
    return f


def graph_cases():
    """Zero points far from 0 (padding must use them), and graphs whose tensors live long."""
    c = []
    c.append(Case("conv_same_zp_low", [[1, 6, 6, 3]], conv([1, 6, 6, 3], 3, 4),
                  "3x3 SAME, input range 0..4 (zero point -128): padding is the zero point",
                  ranges=[(0.0, 4.0)], expect=["CONV_2D"]))
    c.append(Case("conv_same_zp_high_s2", [[1, 7, 7, 3]], conv([1, 7, 7, 3], 3, 4, stride=2, activation="relu"),
                  "3x3 SAME stride 2, input range -4..0.3 (zero point near 120)", ranges=[(-4.0, 0.3)],
                  expect=["CONV_2D"]))
    c.append(Case("dw_same_zp_low_mult2", [[1, 6, 6, 3]], depthwise([1, 6, 6, 3], 3, multiplier=2),
                  "depthwise SAME, input range 0..4", ranges=[(0.0, 4.0)], expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("dw_same_zp_high_dil2", [[1, 8, 8, 2]], depthwise([1, 8, 8, 2], 3, dilation=2),
                  "depthwise SAME dilation 2, input range -4..0.3", ranges=[(-4.0, 0.3)], per_channel=False,
                  expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("avgpool_same_zp_high", [[1, 5, 6, 2]], fn(lambda x: tf.nn.avg_pool2d(x, 3, 2, "SAME")),
                  "average pool SAME, input range -4..0.3", ranges=[(-4.0, 0.3)], expect=["AVERAGE_POOL_2D"]))
    c.append(Case("maxpool_same_zp_high", [[1, 5, 6, 2]], fn(lambda x: tf.nn.max_pool2d(x, 3, 2, "SAME")),
                  "max pool SAME, input range -4..-0.5 (padding must not win)", ranges=[(-4.0, -0.5)],
                  expect=["MAX_POOL_2D"]))
    c.append(Case("fc_zp_low", [[2, 20]], dense([2, 20], 6), "fully connected, input range 0..5",
                  ranges=[(0.0, 5.0)], expect=["FULLY_CONNECTED"]))
    c.append(Case("bmm_zp_far", [[1, 3, 9], [1, 9, 4]], fn(lambda a, b: tf.matmul(a, b)),
                  "BATCH_MATMUL, input ranges 0..3 and -2..0.1", ranges=[(0.0, 3.0), (-2.0, 0.1)],
                  expect=["BATCH_MATMUL"]))
    c.append(Case("graph_residual", [[1, 5, 5, 4]], residual, "conv, conv, ADD of both (a tensor used twice)",
                  expect=["CONV_2D", "ADD"]))
    c.append(Case("graph_two_outputs", [[2, 6]], two_outputs, "FC feeding SOFTMAX and TANH, two model outputs",
                  outputs=2, expect=["FULLY_CONNECTED", "SOFTMAX", "TANH"]))
    c.append(Case("graph_branches", [[1, 5, 5, 3]], branches, "three branches of one input concatenated",
                  ranges=[(0.0, 2.0)], expect=["CONV_2D", "MAX_POOL_2D", "CONCATENATION"]))
    c.append(Case("conv_relu_n1_to_1", [[1, 5, 5, 3]], conv([1, 5, 5, 3], 3, 4, activation="relu_n1_to_1"),
                  "3x3 SAME, fused RELU_N1_TO_1 (clip to [-1, 1])", ranges=[(-2.0, 2.0)], expect=["CONV_2D"]))
    c.append(Case("dw_relu_n1_to_1", [[1, 5, 5, 3]], depthwise([1, 5, 5, 3], 3, activation="relu_n1_to_1"),
                  "depthwise 3x3, fused RELU_N1_TO_1", ranges=[(-3.0, 3.0)], expect=["DEPTHWISE_CONV_2D"]))
    c.append(Case("fc_relu_n1_to_1", [[2, 10]], dense([2, 10], 6, activation="relu_n1_to_1"),
                  "fully connected, fused RELU_N1_TO_1", ranges=[(-3.0, 3.0)], expect=["FULLY_CONNECTED"]))
    c.append(Case("add_relu_n1_to_1", [[1, 3, 4], [1, 3, 4]],
                  fn(lambda a, b: tf.clip_by_value(a + b, -1.0, 1.0)), "ADD, fused RELU_N1_TO_1",
                  ranges=[(-2.0, 2.0), (-1.0, 1.0)], expect=["ADD"]))
    c.append(Case("sub_relu_n1_to_1", [[1, 3, 4], [1, 1, 4]],
                  fn(lambda a, b: tf.clip_by_value(a - b, -1.0, 1.0)), "SUB broadcasting, fused RELU_N1_TO_1",
                  ranges=[(-2.0, 2.0), (-1.0, 3.0)], expect=["SUB"]))
    c.append(Case("mul_relu_n1_to_1", [[1, 3, 4], [1, 3, 1]],
                  fn(lambda a, b: tf.clip_by_value(a * b, -1.0, 1.0)), "MUL broadcasting, fused RELU_N1_TO_1",
                  ranges=[(-2.0, 2.0), (-1.5, 1.5)], expect=["MUL"]))
    c.append(Case("maxpool_relu_n1_to_1", [[1, 6, 6, 2]],
                  fn(lambda x: tf.clip_by_value(tf.nn.max_pool2d(x, 2, 2, "VALID"), -1.0, 1.0)),
                  "max pool, then clip to [-1, 1]", ranges=[(-3.0, 3.0)], expect=["MAX_POOL_2D"]))
    c.append(Case("softmax_4d", [[1, 2, 3, 5]], fn(tf.nn.softmax), "SOFTMAX of a rank-4 tensor",
                  ranges=[(-3.0, 3.0)], expect=["SOFTMAX"]))
    c.append(Case("add_6d_broadcast", [[1, 2, 1, 3, 2, 2], [2, 1, 2, 1, 1, 2]], fn(lambda a, b: a + b),
                  "ADD broadcasting in 6-D", ranges=[(-1.0, 1.0), (-0.5, 2.0)], expect=["ADD"]))
    c.append(Case("mul_6d_broadcast", [[1, 2, 1, 3, 2, 2], [2, 1, 2, 1, 1, 2]], fn(lambda a, b: a * b),
                  "MUL broadcasting in 6-D", ranges=[(-1.0, 1.0), (-0.5, 2.0)], expect=["MUL"]))
    c.append(Case("softmax_1d", [[9]], fn(tf.nn.softmax), "SOFTMAX of a rank-1 tensor", ranges=[(-5.0, 5.0)],
                  expect=["SOFTMAX"]))
    c.append(Case("strided_slice_5d", [[2, 3, 4, 3, 5]], fn(lambda x: x[:, 1:, ::-2, :, 1::2]),
                  "STRIDED_SLICE of a rank-5 tensor", expect=["STRIDED_SLICE"],
                  refused="TFLite Micro's STRIDED_SLICE takes at most 4 dimensions (strided_slice_common.cc)"))
    c.append(Case("mean_negative_axis", [[2, 3, 5]], fn(lambda x: tf.reduce_mean(x, axis=[-2], keepdims=True)),
                  "MEAN over axis -2", expect=["MEAN"]))
    c.append(Case("dequantize_uint8", [[2, 17]], fn(tf.nn.relu), "DEQUANTIZE uint8 -> float32 (edited)",
                  io=("int8", "float"), ranges=[(-2.0, 3.0)],
                  edit=edits.lone_boundary_op(6), expect=["DEQUANTIZE"]))
    c.append(Case("quantize_float_uint8", [[2, 17]], fn(tf.nn.relu), "QUANTIZE float32 -> uint8 (edited)",
                  io=("float", "int8"), ranges=[(-2.0, 3.0)],
                  edit=edits.lone_boundary_op(114), expect=["QUANTIZE"],
                  refused="TFLite Micro's QUANTIZE turns float32 into int8 or int16 only (quantize_common.cc)"))
    return c


# One case per operator (and weight kind) repeated with uint8 and with float model boundaries.
BOUNDARY_VARIANTS = [
    "conv_3x3_same_relu", "conv_pt_3x3_same_relu", "dw_3x3_same_relu", "dw_pt_3x3_same", "fc_bias_relu", "fc_pt",
    "avgpool_3x3_s2_same", "maxpool_2x2_s2_same_odd", "reshape_4d_2d", "squeeze_axis1", "softmax_2d",
    "transpose_4d", "bmm_adj_y", "add_broadcast_relu", "sub_broadcast_relu6", "mul_broadcast_relu",
    "mean_hw_nokeep", "rsqrt", "pad_4d_hw", "concat_requantized", "strided_slice_negative", "logistic", "tanh",
    "hard_swish", "relu", "relu6",
]


def boundary_variants(cases):
    by_name = {c.name: c for c in cases}
    variants = []
    for name in BOUNDARY_VARIANTS:
        base = by_name[name]
        for io, suffix in (("uint8", "u8"), ("float", "f32")):
            variants.append(Case("%s_%s" % (name, suffix), base.inputs, base.build, "%s, %s model boundaries"
                                 % (base.about, io), io=io, per_channel=base.per_channel, ranges=base.ranges,
                                 outputs=base.outputs, expect=list(base.expect) + ["QUANTIZE"],
                                 sample_real=base.sample_real, edit=base.edit))
    return variants


def all_cases():
    cases = (conv_cases() + pool_cases() + binary_cases() + reduce_cases() + activation_cases() + boundary_cases()
             + edge_cases() + graph_cases())
    return cases + boundary_variants(cases)
