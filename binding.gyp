{
  "targets": [
    {
      "target_name": "xmlc_native",
      "sources": ["src/engine/native/xmlc_native.cc", "src/engine/native/kernels.cc", "src/engine/native/l1ae_fused.cc", "src/engine/native/linalg.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-lopenblas"]
    }
  ]
}
