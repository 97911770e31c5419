{
  "targets": [
    {
      "target_name": "roomtone",
      "dependencies": ["native/opus/libopus.gyp:libopus"],
      "sources": [
        "native/addon.cc",
        "native/bindings/clock_binding.cc",
        "native/bindings/g711_binding.cc",
        "native/bindings/mix_kernel_binding.cc",
        "native/bindings/opus_binding.cc",
        "native/bindings/resampler_binding.cc",
        "native/bindings/udp_batch_binding.cc",
        "native/bindings/udp_receiver_binding.cc",
        "native/codecs/g711.cc",
        "native/codecs/resampler.cc",
        "native/mixing/frame_ops.cc",
        "native/mixing/limiter.cc",
        "native/mixing/mix_kernel.cc",
        "native/net/udp_batch.cc",
        "native/net/udp_receiver.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++20", "-fexceptions", "-O3", "-fno-loop-unroll-and-jam", "-fopenmp-simd", "-Wall", "-Wextra"]
    }
  ]
}
