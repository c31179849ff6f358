// Activation -> oneDNN eltwise post-ops (see post_ops.h).
#include "kernels/cpu/onednn/post_ops.h"

namespace brisk::onednn {

bool AppendActivation(const Activation& activation, dnnl::post_ops& ops) {
  using dnnl::algorithm;
  const std::vector<float>& p = activation.params;
  switch (activation.kind) {
    case ActivationKind::kNone: return true;
    case ActivationKind::kRelu: ops.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); return true;
    case ActivationKind::kLeakyRelu:
      ops.append_eltwise(1.f, algorithm::eltwise_relu, p[0], 0.f);
      return true;
    case ActivationKind::kClip:
      if (!(p[0] <= p[1])) return false;
      ops.append_eltwise(1.f, algorithm::eltwise_clip, p[0], p[1]);
      return true;
    case ActivationKind::kSigmoid:
      ops.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f);
      return true;
    case ActivationKind::kTanh: ops.append_eltwise(1.f, algorithm::eltwise_tanh, 0.f, 0.f); return true;
    case ActivationKind::kHardSigmoid:
      ops.append_eltwise(1.f, algorithm::eltwise_linear, p[0], p[1]);
      ops.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 1.f);
      return true;
    case ActivationKind::kHardSwish:
      ops.append_eltwise(1.f, algorithm::eltwise_hardswish, 0.f, 0.f);
      return true;
    case ActivationKind::kSilu: ops.append_eltwise(1.f, algorithm::eltwise_swish, 1.f, 0.f); return true;
    case ActivationKind::kGelu:
      ops.append_eltwise(1.f, algorithm::eltwise_gelu_erf, 0.f, 0.f);
      return true;
    case ActivationKind::kGeluTanh:
      ops.append_eltwise(1.f, algorithm::eltwise_gelu_tanh, 0.f, 0.f);
      return true;
  }
  return false;
}

}  // namespace brisk::onednn
