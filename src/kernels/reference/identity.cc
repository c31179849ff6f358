// Identity: output 0 is input 0 (shares storage; tensors are immutable once produced).
#include "kernels/registry.h"
#include "kernels/shape_util.h"

namespace brisk {
namespace {

Status IdentityCompute(KernelContext& ctx) {
  ctx.set_output(0, *ctx.input(0));
  return Status::Ok();
}

}  // namespace

BRISK_REGISTER_OPS(identity) {
  Op("Identity").Since(1).Infer(InferSameAsInput0).Compute(IdentityCompute);
}

}  // namespace brisk
