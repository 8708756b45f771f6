/* Per-block instruction profile for QEMU 7.2 user mode (plugin API v1): counts the
   instructions executed in each translation block, by its start address, and writes
   "ADDRESS COUNT" lines (hex, decimal) to $INSNPROF_OUT (default /tmp/insnprof.txt) at exit.
   tools/bench/insnprof.py turns two such files into instructions per function. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t, struct qemu_plugin_tb *);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t, void *);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, qemu_plugin_vcpu_tb_trans_cb_t);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op, void *, uint64_t);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, qemu_plugin_udata_cb_t, void *);
__attribute__((visibility("default"))) int qemu_plugin_version = 1;
#define MAXTB (1<<20)
static uint64_t vaddrs[MAXTB], counts[MAXTB]; static int ntb;
static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  if (ntb >= MAXTB) return;
  int i = ntb++;
  vaddrs[i] = qemu_plugin_tb_vaddr(tb);
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &counts[i], qemu_plugin_tb_n_insns(tb));
}
static void at_exit(qemu_plugin_id_t id, void *p) {
  const char *path = getenv("INSNPROF_OUT"); FILE *f = fopen(path ? path : "/tmp/insnprof.txt", "w");
  for (int i = 0; i < ntb; i++) if (counts[i]) fprintf(f, "%llx %llu\n", (unsigned long long)vaddrs[i], (unsigned long long)counts[i]);
  fclose(f);
}
__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
