#!/bin/bash
# edm-ts WebGPU-in-Node (Dawn) check on a machine without Node: bash .devicekit/run.sh (from the repo root).
# Unpacks the kit's node and dawn.node into /tmp/edmkit, makes sure a Vulkan loader and the NVIDIA ICD's
# libraries load (libvulkan1 and X11 client debs in .gl, unpacked only where missing), finds an adapter
# (first with the default driver search, then with VK_DRIVER_FILES/VK_ICD_FILENAMES = each NVIDIA ICD json),
# then runs gpu-check.mjs. Results: $OUT/gpu-check.json and $OUT/run.log (OUT default ./out).
# Env passed through: ALLOW_SOFTWARE=1 (accept SwiftShader/llvmpipe), QUICK=1 (tiny sizes), DAWN_FLAGS,
# GPU_CHECK_MAX_S (default 420), VK_ICD_FILENAMES / VK_DRIVER_FILES (skip the search), EDM_EXTRA_ICDS (more ICD
# json files to try), EDM_UNPACK_TO (unpack debs into this folder, put on LD_LIBRARY_PATH, instead of /; the
# default for non-root), EDM_PRETEND_NO_VULKAN=1 (test: act as if no loader were installed), EDM_PROBE_ONLY=1.
set -u
KIT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GL=$(dirname "$KIT")/.gl
[ -d "$GL" ] || GL=$PWD/.gl
W=/tmp/edmkit
export OUT=${OUT:-$PWD/out}
mkdir -p "$W" "$OUT" "$W/xdg" && chmod 700 "$W/xdg"
exec > >(tee -a "$OUT/run.log") 2>&1
TEE=$!
trap 'exec >&- 2>&-; wait $TEE 2>/dev/null' EXIT # let tee write the last lines before the script ends
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$W/xdg}
say() { echo "== [$(date -u +%H:%M:%S)Z] $*"; }

say "kit $KIT; debs $GL; OUT $OUT; uname $(uname -m); $(grep PRETTY_NAME /etc/os-release 2>/dev/null); $(ldd --version 2>&1 | head -1)"
cat "$KIT/VERSION" 2>/dev/null
(cd "$KIT" && sha256sum -c --quiet SHA256SUMS) || say "WARNING: kit checksums differ (transfer damaged?)"
unxz() { # unxz SRC DST: the system's xz, else the kit's own (Debian 12 xz + liblzma)
  xz -dc "$1" > "$2" 2>/dev/null && return
  say "no working system xz: using the kit's"
  cp "$KIT/xzbin/xz" "$KIT/xzbin/liblzma.so.5" "$W/" && chmod +x "$W/xz" && LD_LIBRARY_PATH=$W "$W/xz" -dc "$1" > "$2"
}
unxz "$KIT/node.xz" "$W/node" && chmod +x "$W/node" && unxz "$KIT/dawn.node.xz" "$W/dawn.node" || { say "unpacking failed"; exit 10; }
NODE=$W/node
say "node $("$NODE" --version 2>&1) at $("$NODE" -p process.execPath 2>&1)" 
"$NODE" -e 0 || { say "the kit's node does not run:"; ldd "$NODE"; exit 11; }
export EDM_DAWN_NODE=$W/dawn.node
ldd "$EDM_DAWN_NODE" | grep -q 'not found' && { say "dawn.node misses libraries:"; ldd "$EDM_DAWN_NODE"; }

# --- Vulkan loader and the NVIDIA ICD's libraries ------------------------------------------------------------
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && case ":${LD_LIBRARY_PATH:-}:" in *":$d:"*) ;; *) export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d ;; esac
done
PRIV=${EDM_UNPACK_TO:-}
[ -z "$PRIV" ] && [ "$(id -u)" != 0 ] && PRIV=$W/gl
[ -n "$PRIV" ] && export LD_LIBRARY_PATH=$PRIV/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
unpack() { # unpack one deb: into / as root (then ldconfig), else into $PRIV (on LD_LIBRARY_PATH)
  say "unpacking $(basename "$1") into ${PRIV:-/}"
  if [ -z "$PRIV" ]; then dpkg -x "$1" / && ldconfig; else mkdir -p "$PRIV" && dpkg -x "$1" "$PRIV"; fi
}
if [ "${EDM_PRETEND_NO_VULKAN:-}" = 1 ] || ! { ldconfig -p | grep -q libvulkan.so.1 || [ -e "${PRIV:-/nonexistent}/usr/lib/x86_64-linux-gnu/libvulkan.so.1" ]; }; then
  say "no Vulkan loader (ldconfig -p | grep libvulkan prints nothing)"
  if [ -f "$GL/libvulkan1.deb" ]; then unpack "$GL/libvulkan1.deb" || say "ERROR: unpacking libvulkan1.deb failed"
  else say "ERROR: $GL/libvulkan1.deb is missing (carry .gl)"; fi
fi
say "vulkan loader: $(ldconfig -p | grep libvulkan.so.1 | head -1) ${PRIV:+private: $(ls "$PRIV"/usr/lib/x86_64-linux-gnu/libvulkan.so.1 2>&1)}"
ICDS=$( { find /usr/local/nvidia/share/vulkan /usr/local/nvidia/etc/vulkan /usr/share/vulkan /etc/vulkan /usr/local/share/vulkan \
  -path '*/icd.d/*' -name '*.json' 2>/dev/null | grep -i nvidia | sort -u; for f in ${EDM_EXTRA_ICDS:-}; do echo "$f"; done; } )
icd_lib() { # the library an ICD json names, resolved like dlopen would
  local p; p=$(sed -n 's/.*"library_path" *: *"\([^"]*\)".*/\1/p' "$1")
  case "$p" in /*) echo "$p"; return ;; esac
  local llp=${LD_LIBRARY_PATH:-}
  for d in ${llp//:/ }; do [ -e "$d/$p" ] && { echo "$d/$p"; return; }; done
  ldconfig -p | sed -n "s/.*$p.* => //p" | head -1
}
for json in $ICDS; do # unpack the debs that provide what the ICD library misses (libX11, libXext, ...), twice for their own needs
  lib=$(icd_lib "$json"); say "ICD $json -> library ${lib:-NOT FOUND}"
  [ -n "$lib" ] || continue
  for pass in 1 2 3; do
    missing=$(ldd "$lib" 2>/dev/null | awk '/not found/ {print $1}')
    [ -n "$missing" ] || break
    say "$lib misses: $missing"
    for so in $missing; do for deb in "$GL"/*.deb; do dpkg -c "$deb" | grep -q "/$so" && unpack "$deb"; done; done
  done
done

diagnose() {
  say "DIAGNOSTICS: no usable WebGPU adapter"
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"; echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  ls -la /dev/nvidia* /dev/dri 2>&1 | head -20
  echo "ICD json files:"; find /usr/local/nvidia /usr/share/vulkan /etc/vulkan /usr/local/share/vulkan -name '*.json' 2>/dev/null
  for json in $ICDS; do echo "--- $json"; cat "$json"; lib=$(icd_lib "$json"); [ -n "$lib" ] && ldd "$lib"; done
  ls /usr/local/nvidia/lib64 2>/dev/null | grep -E 'GLX_nvidia|EGL_nvidia|glvkspirv|gpucomp|glcore|glsi|tls' | tr '\n' ' '; echo
  ldconfig -p | grep -E 'libvulkan|GLX_nvidia|libX11.so|libXext.so'
  for json in "" $ICDS; do # the default search, then each NVIDIA ICD alone
    say "probe with VK_LOADER_DEBUG=error,warn ${json:+VK_DRIVER_FILES=$json}"
    env ${json:+VK_DRIVER_FILES=$json VK_ICD_FILENAMES=$json} VK_LOADER_DEBUG=error,warn timeout 60 "$NODE" "$KIT/gpu-check.mjs" --probe 2>&1 | tail -30
  done
  json=$(echo $ICDS | awk '{print $1}')
  say "probe with VK_LOADER_DEBUG=all ${json:+VK_DRIVER_FILES=$json} (lines naming errors, nvidia or drivers)"
  env ${json:+VK_DRIVER_FILES=$json VK_ICD_FILENAMES=$json} VK_LOADER_DEBUG=all timeout 60 "$NODE" "$KIT/gpu-check.mjs" --probe 2>&1 \
    | grep -iE 'error|warn|fail|cannot|not found|nvidia|icd|adapter' | tail -40
}

# --- GPU facts, adapter search, the check ---------------------------------------------------------------------
command -v nvidia-smi >/dev/null && { nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; }
command -v vulkaninfo >/dev/null && timeout 60 vulkaninfo --summary 2>&1 | tail -25
probe() { say "probe: VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; timeout 60 "$NODE" "$KIT/gpu-check.mjs" --probe; }
probe; rc=$?
if [ $rc -ne 0 ] && [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
  for json in $ICDS; do # VK_DRIVER_FILES for loaders >= 1.3.207, VK_ICD_FILENAMES for older ones
    export VK_DRIVER_FILES=$json VK_ICD_FILENAMES=$json
    probe; rc=$?
    [ $rc -eq 0 ] && break
    unset VK_DRIVER_FILES VK_ICD_FILENAMES
  done
fi
if [ $rc -ne 0 ]; then diagnose; exit $rc; fi
[ "${EDM_PROBE_ONLY:-}" = 1 ] && { say "EDM_PROBE_ONLY=1: stopping after the adapter"; exit 0; }
say "running gpu-check (VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-})"
timeout $(( ${GPU_CHECK_MAX_S:-420} + 60 )) "$NODE" "$KIT/gpu-check.mjs"; rc=$?
say "gpu-check exit $rc; results in $OUT/gpu-check.json and $OUT/run.log"
exit $rc
