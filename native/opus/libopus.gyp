# libopus (float build) from the sources inside @discordjs/opus, linked into roomtone.node so
# that the codec is called from the addon without a Buffer per frame. opus_sources.cjs reads
# libopus's own source lists. On x86-64, the SSE/SSE2 kernels are always on and the SSE4.1 ones
# are picked at run time by CPU detection (OPUS_HAVE_RTCD), as libopus's own build does.
{
  "variables": {
    "opus_dir": "<!(node opus_sources.cjs dir)",
  },
  "target_defaults": {
    "include_dirs": ["<(opus_dir)/include", "<(opus_dir)/celt", "<(opus_dir)/silk", "<(opus_dir)/silk/float", "<(opus_dir)"],
    "defines": ["OPUS_BUILD", "USE_ALLOCA", "HAVE_LRINT", "HAVE_LRINTF"],
    "cflags": ["-O3", "-fPIC", "-fvisibility=hidden", "-w"],
    "conditions": [
      ["target_arch=='x64'", {
        "defines": ["OPUS_HAVE_RTCD", "CPU_INFO_BY_ASM", "OPUS_X86_MAY_HAVE_SSE", "OPUS_X86_MAY_HAVE_SSE2",
                    "OPUS_X86_MAY_HAVE_SSE4_1", "OPUS_X86_PRESUME_SSE", "OPUS_X86_PRESUME_SSE2"],
      }],
    ],
  },
  "targets": [
    {
      "target_name": "libopus",
      "type": "static_library",
      "sources": ["<!@(node opus_sources.cjs plain)"],
      "direct_dependent_settings": {
        "include_dirs": ["<(opus_dir)/include"],
      },
      "conditions": [
        ["target_arch=='x64'", {
          "sources": ["<!@(node opus_sources.cjs sse)"],
          "dependencies": ["libopus_sse41"],
        }],
      ],
    },
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "libopus_sse41",
          "type": "static_library",
          "sources": ["<!@(node opus_sources.cjs sse41)"],
          "cflags": ["-msse4.1"],
        },
      ],
    }],
  ],
}
