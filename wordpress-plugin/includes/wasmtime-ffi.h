#define FFI_SCOPE "CASPAY_WEBHOOKS_WASMTIME"
#define FFI_LIB "/usr/local/lib/libwasmtime.so"
/*
 * The subset of Wasmtime's C API (version 50, built with GC support, as shipped in the
 * wasmtime==50.0.1 PyPI wheel) that CasPay_Wasm_Engine calls, for PHP FFI.
 * Written from wasm.h and wasmtime/*.h of the crate wasmtime-c-api-impl 50.0.1.
 *
 * For ffi.enable=preload hosts (php-fpm), copy this file, set FFI_LIB to the library's
 * absolute path and point ffi.preload at the copy; see readme.txt. The two #define lines
 * stay the first lines: ffi.preload reads them only there, and anything before them (this
 * comment included) makes PHP fail to start ("cannot resolve C function"). The plugin's
 * own FFI::cdef() ignores them.
 */

typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;

typedef struct wasm_byte_vec_t {
  size_t size;
  char *data;
} wasm_byte_vec_t;

typedef struct wasmtime_func {
  uint64_t store_id;
  void *__private;
} wasmtime_func_t;

typedef struct wasmtime_memory {
  struct {
    uint64_t store_id;
    uint32_t __private1;
  };
  uint32_t __private2;
} wasmtime_memory_t;

typedef struct wasmtime_global {
  uint64_t store_id;
  uint32_t __private1;
  uint32_t __private2;
  uint32_t __private3;
} wasmtime_global_t;

/* 24 bytes: the largest member is a global; the extern is 32 with the union at offset 8. */
typedef union wasmtime_extern_union {
  wasmtime_func_t func;
  wasmtime_global_t global;
  wasmtime_memory_t memory;
} wasmtime_extern_union_t;

typedef struct wasmtime_extern {
  uint8_t kind;
  wasmtime_extern_union_t of;
} wasmtime_extern_t;

typedef struct wasmtime_instance {
  uint64_t store_id;
  size_t __private;
} wasmtime_instance_t;

/* With GC support the union holds anyref (24 bytes); leaving it out would shift every
   argument after the first. */
typedef struct wasmtime_anyref {
  uint64_t store_id;
  uint32_t __private1;
  uint32_t __private2;
  void *__private3;
} wasmtime_anyref_t;

typedef union wasmtime_valunion {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  wasmtime_anyref_t anyref;
  wasmtime_func_t funcref;
  uint8_t v128[16];
} wasmtime_valunion_t;

typedef struct wasmtime_val {
  uint8_t kind;
  wasmtime_valunion_t of;
} wasmtime_val_t;

wasm_config_t *wasm_config_new(void);
void wasmtime_config_memory_reservation_set(wasm_config_t *, uint64_t);
void wasmtime_config_memory_guard_size_set(wasm_config_t *, uint64_t);
void wasmtime_config_memory_reservation_for_growth_set(wasm_config_t *, uint64_t);
void wasmtime_config_parallel_compilation_set(wasm_config_t *, bool);
void wasmtime_config_signals_based_traps_set(wasm_config_t *, bool);
wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *);
void wasm_engine_delete(wasm_engine_t *);

wasmtime_error_t *wasmtime_module_new(wasm_engine_t *engine, const uint8_t *wasm, size_t wasm_len, wasmtime_module_t **ret);
wasmtime_error_t *wasmtime_module_serialize(const wasmtime_module_t *module, wasm_byte_vec_t *ret);
wasmtime_error_t *wasmtime_module_deserialize_file(wasm_engine_t *engine, const char *path, wasmtime_module_t **ret);
void wasmtime_module_delete(wasmtime_module_t *m);

wasmtime_store_t *wasmtime_store_new(wasm_engine_t *engine, void *data, void (*finalizer)(void *));
wasmtime_context_t *wasmtime_store_context(wasmtime_store_t *store);
void wasmtime_store_limiter(wasmtime_store_t *store, int64_t memory_size, int64_t table_elements, int64_t instances, int64_t tables, int64_t memories);
void wasmtime_store_delete(wasmtime_store_t *store);

wasmtime_error_t *wasmtime_instance_new(wasmtime_context_t *store, const wasmtime_module_t *module, const wasmtime_extern_t *imports, size_t nimports, wasmtime_instance_t *instance, wasm_trap_t **trap);
bool wasmtime_instance_export_get(wasmtime_context_t *store, const wasmtime_instance_t *instance, const char *name, size_t name_len, wasmtime_extern_t *item);

wasmtime_error_t *wasmtime_func_call(wasmtime_context_t *store, const wasmtime_func_t *func, const wasmtime_val_t *args, size_t nargs, wasmtime_val_t *results, size_t nresults, wasm_trap_t **trap);

uint8_t *wasmtime_memory_data(wasmtime_context_t *store, const wasmtime_memory_t *memory);
size_t wasmtime_memory_data_size(const wasmtime_context_t *store, const wasmtime_memory_t *memory);

void wasmtime_error_message(const wasmtime_error_t *error, wasm_byte_vec_t *message);
void wasmtime_error_delete(wasmtime_error_t *error);
void wasm_trap_message(const wasm_trap_t *, wasm_byte_vec_t *out);
void wasm_trap_delete(wasm_trap_t *);
void wasm_byte_vec_delete(wasm_byte_vec_t *);
