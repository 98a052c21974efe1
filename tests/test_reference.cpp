// The reference and the checker are what every other test trusts, so they are tested first.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "elubench/activations.hpp"
#include "elubench/dtypes.hpp"
#include "elubench/math_backends.hpp"
#include "elubench/reference.hpp"
#include "test_support.hpp"

using namespace elubench;

TEST(Dtypes, F16RoundTripsEveryPattern) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_float(static_cast<std::uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_f16(f), h) << std::hex << h;
  }
}

TEST(Dtypes, F16RoundsToNearestEven) {
  EXPECT_EQ(float_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);  // tie -> even (1.0)
  EXPECT_EQ(float_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie -> even (up)
  EXPECT_EQ(float_to_f16(65520.0f), 0x7C00);                      // overflows to inf
  EXPECT_EQ(float_to_f16(65519.0f), 0x7BFF);
  EXPECT_EQ(float_to_f16(std::ldexp(1.0f, -25)), 0x0000);          // tie -> even (0)
  EXPECT_EQ(float_to_f16(std::ldexp(3.0f, -26)), 0x0001);          // above the tie
  EXPECT_EQ(float_to_f16(-std::ldexp(1.0f, -24)), 0x8001);
}

TEST(Dtypes, Bf16RoundsToNearestEven) {
  EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F808000u)), 0x3F80);  // tie -> even
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F818000u)), 0x3F82);  // tie -> even (up)
  EXPECT_EQ(float_to_bf16(bits_to_float(0x3F808001u)), 0x3F81);
  EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Dtypes, RoundToDtypeRoundsOnceFromDouble) {
  // 1 + 2^-11 + 2^-40 is just above an f16 tie: rounding through float first would land on
  // the tie and round to even (down); one correct rounding goes up.
  const double v = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(round_to_dtype(v, Dtype::f16), f16_to_float(0x3C01));
  EXPECT_EQ(round_to_dtype(v, Dtype::f32), static_cast<float>(v));
}

TEST(UlpDistance, CountsRepresentableValues) {
  EXPECT_EQ(ulp_distance(1.0f, std::nextafter(1.0f, 2.0f), Dtype::f32), 1);
  EXPECT_EQ(ulp_distance(-0.0f, 0.0f, Dtype::f32), 0);
  EXPECT_EQ(ulp_distance(std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                         Dtype::f32), 2);
  EXPECT_EQ(ulp_distance(1.0f, f16_to_float(0x3C01), Dtype::f16), 1);
  EXPECT_EQ(ulp_distance(NAN, NAN, Dtype::f32), 0);
  EXPECT_TRUE(std::isinf(ulp_distance(NAN, 0.0f, Dtype::f32)));
}

TEST(Reference, EluEdgeCases) {
  EXPECT_TRUE(std::isnan(reference_value(Activation::elu, NAN, test_support::with_alpha(1.0f))));
  EXPECT_EQ(reference_value(Activation::elu, INFINITY, test_support::with_alpha(1.0f)), INFINITY);
  EXPECT_EQ(reference_value(Activation::elu, -INFINITY, test_support::with_alpha(2.0f)), -2.0);
  EXPECT_TRUE(std::signbit(reference_value(Activation::elu, -0.0, test_support::with_alpha(1.0f))));
  EXPECT_NE(static_cast<float>(reference_value(Activation::elu, -1e-8, test_support::with_alpha(1.0f))), 0.0f);
  EXPECT_EQ(static_cast<float>(reference_value(Activation::elu, -17.5, test_support::with_alpha(1.0f))), -1.0f);
  EXPECT_EQ(reference_value(Activation::elu, -3.0, test_support::with_alpha(0.0f)), 0.0);
}

TEST(Reference, ReluKeepsNanAndClearsNegativeZero) {
  EXPECT_TRUE(std::isnan(reference_value(Activation::relu, NAN, test_support::with_alpha(1.0f))));
  EXPECT_FALSE(std::signbit(reference_value(Activation::relu, -0.0, test_support::with_alpha(1.0f))));
  EXPECT_EQ(reference_value(Activation::relu, -5.0, test_support::with_alpha(1.0f)), 0.0);
}

TEST(ScalarMath, FloatEluMatchesTheExpm1CancellationFreeForm) {
  EXPECT_EQ(Elu::forward(LibmMath{}, -1e-8f, default_params(Activation::elu)), -1e-8f);  // exp(x) - 1 would return 0 here
  const auto elu_fast = [](float x, float alpha) { return Elu::forward(FastMath{}, x, test_support::with_alpha(alpha)); };
  EXPECT_EQ(elu_fast(-1e-8f, 1.0f), -1e-8f);
  EXPECT_EQ(elu_fast(-100.0f, 1.0f), -1.0f);
  EXPECT_TRUE(std::isnan(elu_fast(NAN, 1.0f)));
  EXPECT_EQ(elu_fast(-INFINITY, 0.5f), -0.5f);
}

// The library class in 16-bit (cuDNN's f16 ELU) gets the absolute floor near 0 that the f32
// library class has: a library that computes exp(x) - 1 in float is a few subnormal ULPs off
// there, which its own contract allows, while a few ULPs at larger outputs still fail. The
// tolerance string says so.
TEST(Tolerance, Library16BitHasTheF32LibraryFloorNearZero) {
  const Variant lib{.name = "gpu/elu/cudnn/f16", .device = Device::gpu, .activation = Activation::elu,
                    .variant = "cudnn", .dtype = Dtype::f16, .kind = Kind::peer, .accuracy = Accuracy::library,
                    .uses_bias = false, .bytes_per_element = 4, .kernel = nullptr, .description = ""};
  const ActivationParams p = test_support::with_alpha(1.0f);
  const Tolerance t = tolerance_for(lib, p);
  EXPECT_EQ(t.max_abs, std::ldexp(1.0, -22));
  EXPECT_NE(t.describe().find("abs error <= 2.38419e-07"), std::string::npos) << t.describe();
  // 3 ULPs off: at x = -2^-21 (an f16 subnormal output, 3 ULPs = 1.8e-7) and at x = -0.5.
  const auto three_ulps_off = [&](float x) {
    std::uint16_t in = float_to_f16(x);
    std::uint16_t out = float_to_f16(round_to_dtype(reference_value(Activation::elu, f16_to_float(in), p), Dtype::f16));
    out = static_cast<std::uint16_t>(out + 3);  // negative outputs: 3 steps further from 0
    return check_against_reference(lib, &in, &out, 1, p);
  };
  const CheckResult near_zero = three_ulps_off(-std::ldexp(1.0f, -21));
  EXPECT_TRUE(near_zero.ok) << near_zero.message;
  EXPECT_EQ(near_zero.max_ulp, 3.0);
  EXPECT_FALSE(three_ulps_off(-0.5f).ok);
}

// The sign of zero is part of the contract where the trait fixes it (docs/activations.md): a
// flipped zero at x = +-0 fails there, although it is 0 ULP away; ReLU and GELU accept either
// sign; a flat region's zero (ReLU at x < 0) is not covered; peers the trait names are exempt.
TEST(Checker, SignOfZeroIsCheckedWhereTheContractFixesIt) {
  const auto check = [](const char* name, float x, float y) {
    const Variant* v = find_variant(name);
    if (!v) throw std::runtime_error(std::string("registry lacks ") + name);
    return check_against_reference(*v, &x, &y, 1, default_params(v->activation));
  };
  for (const char* name : {"cpu/elu/naive/f32", "cpu/selu/vectorized/f32", "cpu/leaky_relu/naive/f32",
                           "cpu/silu/vectorized/f32", "cpu/gelu_tanh/naive/f32", "cpu/copy/memcpy/f32"}) {
    EXPECT_TRUE(check(name, -0.0f, -0.0f).ok) << name;
    EXPECT_TRUE(check(name, 0.0f, 0.0f).ok) << name;
    const CheckResult flipped = check(name, -0.0f, 0.0f);
    EXPECT_FALSE(flipped.ok) << name;
    EXPECT_NE(flipped.message.find("sign of zero"), std::string::npos) << flipped.message;
    EXPECT_FALSE(check(name, 0.0f, -0.0f).ok) << name;
  }
  for (const char* name : {"cpu/relu/naive/f32", "cpu/gelu/vectorized/f32"}) {
    EXPECT_TRUE(check(name, -0.0f, 0.0f).ok) << name;
    EXPECT_TRUE(check(name, -0.0f, -0.0f).ok) << name;
  }
  EXPECT_TRUE(check("cpu/relu/naive/f32", -3.0f, -0.0f).ok) << "a flat region's zero may have either sign";
  if (const Variant* onednn = find_variant("cpu/elu/onednn/f32")) {
    EXPECT_FALSE(zero_sign_fixed(*onednn)) << "the trait names oneDNN's ELU: exp(x) - 1 gives +0 at -0";
    EXPECT_TRUE(check("cpu/elu/onednn/f32", -0.0f, 0.0f).ok);
  }
  EXPECT_FALSE(zero_sign_fixed(*find_variant("cpu/elu_backward/naive/f32")));
}
