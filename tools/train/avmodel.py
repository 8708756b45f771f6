"""The Perch audio-visual Transformer (Keras), written so that TensorFlow Lite's converter turns it
into a pure int8 graph of operators Perch's runtime has.

    image [1,H,W,C] --MobileNet-style CNN--> [1,Ti,Ci] --Dense(d)--> + image pos/modality emb --+
                                                                                               | concat [1,T,d]
    audio [1,49,40] --small CNN (time tokens)--> [1,Ta,Ca] --Dense(d)--> + audio pos/modality --+
      -> L x [ x = LN(x + MHA(x)); x = LN(x + FFN(x)) ]      (attention across both modalities)
      -> mean of image tokens, mean of audio tokens -> concat (fusion) -> Dense(labels) -> sigmoid
      -> second output: attention mass each modality's tokens received in the last block,
         averaged over heads and queries: [1,2] = (image, audio), sums to 1.

Constraints for the export: batch size 1 everywhere (static reshapes), layer norm written out as
MEAN/SUB/MUL/ADD/RSQRT, attention as TRANSPOSE/BATCH_MATMUL/SOFTMAX, no dynamic shapes.
"""
import math

import keras
from keras import layers, ops


class ExplicitLayerNorm(layers.Layer):
    """Layer norm over the last axis with the mean, variance and rsqrt written out."""

    def __init__(self, epsilon=1e-3, **kw):
        super().__init__(**kw)
        self.epsilon = epsilon

    def build(self, shape):
        self.gamma = self.add_weight(name="gamma", shape=(shape[-1],), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(shape[-1],), initializer="zeros")

    def call(self, x):
        mean = ops.mean(x, axis=-1, keepdims=True)
        xc = x - mean
        var = ops.mean(xc * xc, axis=-1, keepdims=True)
        return xc * ops.rsqrt(var + self.epsilon) * self.gamma + self.beta

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


class TokenEmbedding(layers.Layer):
    """Adds a learned per-position embedding and a learned modality embedding to [1,T,d] tokens."""

    def build(self, shape):
        self.position = self.add_weight(name="position", shape=(1, shape[1], shape[2]),
                                        initializer=keras.initializers.RandomNormal(stddev=0.02))
        self.modality = self.add_weight(name="modality", shape=(1, 1, shape[2]),
                                        initializer=keras.initializers.RandomNormal(stddev=0.02))

    def call(self, x):
        return x + (self.position + self.modality)


class MultiHeadSelfAttention(layers.Layer):
    """Multi-head attention over all tokens (both modalities); returns (output, attention)."""

    def __init__(self, tokens, width, heads, batch=1, **kw):
        super().__init__(**kw)
        self.tokens, self.width, self.heads = tokens, width, heads
        self.batch = batch  # 1 for the export (static shapes), -1 while training
        self.head_width = width // heads
        self.q = layers.Dense(width, name="q")
        self.k = layers.Dense(width, name="k")
        self.v = layers.Dense(width, name="v")
        self.o = layers.Dense(width, name="o")

    def call(self, x):
        b, n, h, dh = self.batch, self.tokens, self.heads, self.head_width
        q = ops.transpose(ops.reshape(self.q(x), (b, n, h, dh)), (0, 2, 1, 3))   # [1,h,n,dh]
        k = ops.transpose(ops.reshape(self.k(x), (b, n, h, dh)), (0, 2, 3, 1))   # [1,h,dh,n]
        v = ops.transpose(ops.reshape(self.v(x), (b, n, h, dh)), (0, 2, 1, 3))   # [1,h,n,dh]
        scores = ops.matmul(q, k) * (1.0 / math.sqrt(dh))                        # [1,h,n,n]
        attention = ops.softmax(scores, axis=-1)
        context = ops.matmul(attention, v)                                       # [1,h,n,dh]
        context = ops.reshape(ops.transpose(context, (0, 2, 1, 3)), (b, n, self.width))
        return self.o(context), attention

    def get_config(self):
        return {**super().get_config(), "tokens": self.tokens, "width": self.width, "heads": self.heads, "batch": self.batch}


def conv_bn(x, filters, kernel, strides, name):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(name=name + "_bn")(x)
    return layers.ReLU(name=name + "_relu")(x)


def depthwise_separable(x, filters, strides, name):
    x = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False, name=name + "_dw")(x)
    x = layers.BatchNormalization(name=name + "_dw_bn")(x)
    x = layers.ReLU(name=name + "_dw_relu")(x)
    return conv_bn(x, filters, 1, 1, name + "_pw")


def build(labels, batch=1, image_shape=(64, 64, 3), audio_shape=(49, 40), width=32, heads=2, blocks=1,
          ffn=64, dropout=0.1, image_channels=(16, 32, 48, 64), audio_channels=(16, 32, 48)):
    """A Keras model: inputs (image [B,H,W,C] in [0,1], spectrogram [B,49,40] = int8 features/128),
    outputs (labels [B,L] sigmoid, modality_attention [B,2]). batch=1 builds the export graph
    (static shapes); batch=None the training graph. The converter orders inputs and outputs by
    name: image, spectrogram; labels, modality_attention."""
    image = keras.Input(shape=image_shape, batch_size=batch, name="image")
    audio = keras.Input(shape=audio_shape, batch_size=batch, name="spectrogram")

    # Image encoder: stride-2 stem and three stride-2 depthwise-separable blocks -> 4x4 tokens.
    x = conv_bn(image, image_channels[0], 3, 2, "img_stem")
    for i, c in enumerate(image_channels[1:]):
        x = depthwise_separable(x, c, 2, f"img_b{i}")
    ih, iw, ic = x.shape[1], x.shape[2], x.shape[3]
    img_tokens = layers.Reshape((ih * iw, ic), name="img_tokens")(x)
    img_tokens = layers.Dense(width, name="img_proj")(img_tokens)
    img_tokens = TokenEmbedding(name="img_embed")(img_tokens)

    # Audio encoder: the [49 x 40] features as a 1-channel picture; the time axis becomes tokens.
    a = layers.Reshape(audio_shape + (1,), name="audio_2d")(audio)
    a = conv_bn(a, audio_channels[0], 3, 2, "aud_stem")
    for i, c in enumerate(audio_channels[1:]):
        a = depthwise_separable(a, c, 2, f"aud_b{i}")
    at, af, ac = a.shape[1], a.shape[2], a.shape[3]
    aud_tokens = layers.Reshape((at, af * ac), name="aud_tokens")(a)
    aud_tokens = layers.Dense(width, name="aud_proj")(aud_tokens)
    aud_tokens = TokenEmbedding(name="aud_embed")(aud_tokens)

    n_img, n_aud = ih * iw, at
    tokens = n_img + n_aud
    x = layers.Concatenate(axis=1, name="tokens")([img_tokens, aud_tokens])

    attention = None
    for b in range(blocks):
        y, attention = MultiHeadSelfAttention(tokens, width, heads, batch=batch or -1, name=f"mha{b}")(x)
        y = layers.Dropout(dropout, name=f"drop_attn{b}")(y)
        x = ExplicitLayerNorm(name=f"ln_attn{b}")(layers.Add(name=f"res_attn{b}")([x, y]))
        y = layers.Dense(ffn, activation="relu", name=f"ffn{b}_1")(x)
        y = layers.Dense(width, name=f"ffn{b}_2")(y)
        y = layers.Dropout(dropout, name=f"drop_ffn{b}")(y)
        x = ExplicitLayerNorm(name=f"ln_ffn{b}")(layers.Add(name=f"res_ffn{b}")([x, y]))

    # Fusion: pooled image tokens and pooled audio tokens, concatenated.
    img_pool = ops.mean(x[:, :n_img, :], axis=1)
    aud_pool = ops.mean(x[:, n_img:, :], axis=1)
    fused = layers.Concatenate(axis=-1, name="fusion")([img_pool, aud_pool])
    fused = layers.Dropout(dropout, name="drop_head")(fused)
    logits = layers.Dense(len(labels), name="head")(fused)
    scores = layers.Activation("sigmoid", name="labels")(logits)

    # Attribution: attention mass on image keys and on audio keys (fixed indicator weights),
    # averaged over heads and queries.
    a = layers.Reshape((heads * tokens, tokens), name="attn_rows")(attention)
    indicator = [[1.0, 0.0]] * n_img + [[0.0, 1.0]] * n_aud
    mass = layers.Dense(2, use_bias=False, trainable=False, name="attn_mass",
                        kernel_initializer=keras.initializers.Constant(indicator))(a)
    attribution = layers.Lambda(lambda m: ops.mean(m, axis=1), name="modality_attention")(mass)

    model = keras.Model([image, audio], [scores, attribution], name="perch_av")
    model.token_counts = (n_img, n_aud)
    return model
