{
  "variables": {
    "hnswlib_src": "<!(node -p \"try { require('path').join(require('path').dirname(require.resolve('hnswlib-node/package.json')), 'src') } catch (e) { '' }\")"
  },
  "targets": [
    {
      "target_name": "xmlc_hnsw",
      "type": "static_library",
      "sources": ["src/engine/native/hnsw_search.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-fopenmp", "-std=gnu++17", "-fPIC"],
      "cflags_cc!": ["-fno-exceptions"],
      "conditions": [
        ["hnswlib_src!=''", { "defines": ["XMLC_HNSWLIB"], "include_dirs": ["<(hnswlib_src)"] }]
      ]
    },
    {
      "target_name": "xmlc_native",
      "dependencies": ["xmlc_hnsw"],
      "sources": ["src/engine/native/xmlc_native.cc", "src/engine/native/kernels.cc", "src/engine/native/l1ae_fused.cc", "src/engine/native/linalg.cc", "src/engine/native/text_terms.cc", "src/engine/native/linear_cd.cc", "src/engine/native/knn_exact.cc", "src/engine/native/l1ae_bf16.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS", "NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-march=native", "-fopenmp", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-lopenblas"]
    }
  ]
}
