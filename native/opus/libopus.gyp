# libopus (float build) from the sources inside @discordjs/opus, linked into roomtone.node so
# that the codec is called from the addon without a Buffer per frame. opus_sources.cjs reads
# libopus's own source lists. On x86-64 the SSE and SSE2 kernels are compiled in unconditionally
# (every x86-64 CPU has them), with no run-time CPU detection: libopus would run CPUID at every
# decoder reset, which traps to the hypervisor in a VM, and InboundStream resets a decoder each
# time a talker comes back above the gate. The SSE4.1 kernels serve the fixed-point build and
# the SILK VAD only.
{
  "variables": {
    "opus_dir": "<!(node opus_sources.cjs dir)",
  },
  "targets": [
    {
      "target_name": "libopus",
      "type": "static_library",
      "sources": ["<!@(node opus_sources.cjs plain)"],
      "include_dirs": ["<(opus_dir)/include", "<(opus_dir)/celt", "<(opus_dir)/silk", "<(opus_dir)/silk/float", "<(opus_dir)"],
      "defines": ["OPUS_BUILD", "USE_ALLOCA", "HAVE_LRINT", "HAVE_LRINTF"],
      "cflags": ["-O3", "-fPIC", "-fvisibility=hidden", "-w"],
      "direct_dependent_settings": {
        "include_dirs": ["<(opus_dir)/include"],
      },
      "conditions": [
        ["target_arch=='x64'", {
          "sources": ["<!@(node opus_sources.cjs sse)"],
          "defines": ["OPUS_X86_MAY_HAVE_SSE", "OPUS_X86_MAY_HAVE_SSE2", "OPUS_X86_PRESUME_SSE", "OPUS_X86_PRESUME_SSE2"],
        }],
      ],
    },
  ],
}
