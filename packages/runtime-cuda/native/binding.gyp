{
  # Built by scripts/build-native.mjs. With -Dwith_cuda=true the CUDA kernels are compiled by nvcc
  # (sm_90, sm_120 and compute_120 PTX) and cudart is linked statically, so the addon loads on
  # machines without CUDA libraries and reports "no CUDA device" there.
  "variables": {
    "with_cuda%": "false",
    "cuda_home%": "/usr/local/cuda"
  },
  "targets": [
    {
      "target_name": "chimera_kernels",
      "sources": ["src/addon.cc", "src/cpu_kernels.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-ffp-contract=off", "-fno-fast-math", "-fexceptions"],
      "conditions": [
        ["with_cuda=='true'", {
          "sources": ["src/cuda_kernels.cu"],
          "defines": ["CHIMERA_WITH_CUDA=1"],
          "include_dirs": ["<(cuda_home)/include"],
          "libraries": ["-L<(cuda_home)/lib64", "-lcudart_static", "-ldl", "-lrt", "-lpthread"],
          "rules": [
            {
              "rule_name": "nvcc",
              "extension": "cu",
              "inputs": ["<(RULE_INPUT_PATH)"],
              "outputs": ["<(INTERMEDIATE_DIR)/<(RULE_INPUT_ROOT).o"],
              "action": [
                "<(cuda_home)/bin/nvcc", "-std=c++17", "-O3", "-fmad=false", "-prec-div=true", "-prec-sqrt=true",
                "-Xcompiler", "-fPIC",
                "-gencode", "arch=compute_90,code=sm_90",
                "-gencode", "arch=compute_120,code=sm_120",
                "-gencode", "arch=compute_120,code=compute_120",
                "-Isrc", "-c", "<@(_inputs)", "-o", "<@(_outputs)"
              ],
              "message": "nvcc <(RULE_INPUT_PATH)",
              "process_outputs_as_sources": 1
            }
          ]
        }, {
          "sources": ["src/cuda_stub.cc"]
        }]
      ]
    }
  ]
}
