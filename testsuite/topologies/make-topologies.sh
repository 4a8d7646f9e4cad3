#!/bin/sh
# make-topologies.sh: how the emulated node topologies in this directory were
# made from the real H100 node (h100-1gpu.xml, a copy of
# ../shared/fixtures/topologies/h100-1gpu.xml). The generated files are
# committed; the build never runs this script (it needs python3).
#
#   cpu16.xml      the same machine without its GPU
#   gpu4-h100.xml  2 packages x 16 cores, 2 NUMA nodes, 4 H100 (2 per package)
#   gpu8-h100.xml  2 packages x 32 cores, 2 NUMA nodes, 8 H100 (4 per package)
#   gpu4-l4.xml    gpu4-h100.xml with 4 NVIDIA L4 (24 GB) instead
#
# Every GPU sits on its own host bridge and PCI bus (0x10, 0x20, ...), with an
# OpenCL OS device beside it under the bridge, as hwloc reported the real one.
# Usage: ./make-topologies.sh [DIR]   (then: lstopo-no-graphics -i FILE)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
src=$here/h100-1gpu.xml

# cpu16: drop the GPU's PCIDev line and the OpenCL OSDev element.
sed -e '/pci_type="0302 \[10de:2330\]/d' \
    -e '/subtype="OpenCL"/,/<\/object>/d' "$src" > "$out/cpu16.xml"

python3 - "$src" "$out" <<'PY'
import re, sys
src, out = sys.argv[1], sys.argv[2]
text = open(src).read()
lines = text.split("\n")
head = "\n".join(lines[:13])            # prolog, Machine info lines
pkg_info = "\n".join(lines[14:19])      # CPUVendor .. CPUStepping
tail = text[text.index("  <support "):]
page_4k = 1203068

def mask(bits):
    """hwloc bitmap text: 32-bit words, most significant first."""
    words = [0] * (max(bits) // 32 + 1)
    for b in bits:
        words[b // 32] |= 1 << (b % 32)
    return ",".join("0x%08x" % w for w in reversed(words))

gp = [1000]
def gpi():
    gp[0] += 1
    return gp[0]

def sets(cpus, node):
    m, n = mask(cpus), mask([node])
    return ('cpuset="%s" complete_cpuset="%s" nodeset="%s" '
            'complete_nodeset="%s"' % (m, m, n, n))

def core(pu, node, ind):
    s = sets([pu], node)
    i = " " * ind
    return "\n".join([
        i + '<object type="L2Cache" os_index="%d" %s gp_index="%d" cache_size="2097152" depth="2" cache_linesize="64" cache_associativity="16" cache_type="0">' % (pu, s, gpi()),
        i + '  <info name="Inclusive" value="0"/>',
        i + '  <object type="L1Cache" os_index="%d" %s gp_index="%d" cache_size="49152" depth="1" cache_linesize="64" cache_associativity="12" cache_type="1">' % (pu, s, gpi()),
        i + '    <info name="Inclusive" value="0"/>',
        i + '    <object type="L1iCache" os_index="%d" %s gp_index="%d" cache_size="32768" depth="1" cache_linesize="64" cache_associativity="8" cache_type="2">' % (pu, s, gpi()),
        i + '      <info name="Inclusive" value="0"/>',
        i + '      <object type="Core" os_index="%d" %s gp_index="%d">' % (pu, s, gpi()),
        i + '        <object type="PU" os_index="%d" %s gp_index="%d"/>' % (pu, s, gpi()),
        i + '      </object>', i + '    </object>', i + '  </object>',
        i + '</object>'])

def gpu(idx):
    bus = 0x10 * (idx + 1)
    return "\n".join([
        '      <object type="Bridge" gp_index="%d" bridge_type="0-1" depth="0" bridge_pci="0000:[%02x-%02x]">' % (gpi(), bus, bus),
        '        <object type="PCIDev" gp_index="%d" pci_busid="0000:%02x:00.0" pci_type="0302 [10de:2330] [10de:16c1] a1" pci_link_speed="63.015385"/>' % (gpi(), bus),
        '        <object type="OSDev" gp_index="%d" name="opencl1d%d" subtype="OpenCL" osdev_type="5">' % (gpi(), idx),
        '          <info name="Backend" value="OpenCL"/>',
        '          <info name="OpenCLDeviceType" value="GPU"/>',
        '          <info name="GPUVendor" value="NVIDIA Corporation"/>',
        '          <info name="GPUModel" value="NVIDIA H100 80GB HBM3"/>',
        '          <info name="OpenCLPlatformIndex" value="1"/>',
        '          <info name="OpenCLPlatformName" value="NVIDIA CUDA"/>',
        '          <info name="OpenCLPlatformDeviceIndex" value="%d"/>' % idx,
        '          <info name="OpenCLComputeUnits" value="132"/>',
        '          <info name="OpenCLGlobalMemorySize" value="83024896"/>',
        '        </object>',
        '      </object>'])

def package(p, ncores, gpus, mem_mult):
    cpus = list(range(p * ncores, (p + 1) * ncores))
    s = sets(cpus, p)
    mem = 4927766528 * mem_mult
    body = [
        '    <object type="Package" os_index="%d" %s gp_index="%d">' % (p, s, gpi()),
        pkg_info,
        '      <object type="NUMANode" os_index="%d" %s gp_index="%d" local_memory="%d">' % (p, s, gpi(), mem),
        '        <page_type size="4096" count="%d"/>' % (page_4k * mem_mult),
        '        <page_type size="2097152" count="0"/>',
        '        <page_type size="1073741824" count="0"/>',
        '      </object>',
        '      <object type="L3Cache" os_index="%d" %s gp_index="%d" cache_size="314572800" depth="3" cache_linesize="64" cache_associativity="20" cache_type="0">' % (p, s, gpi()),
        '        <info name="Inclusive" value="0"/>']
    body += [core(c, p, 8) for c in cpus]
    body.append('      </object>')
    body += [gpu(g) for g in gpus]
    body.append('    </object>')
    return "\n".join(body)

def machine(npkg, ncores, ngpus, mem_mult, name):
    total = list(range(npkg * ncores))
    m = mask(total)
    nodes = mask(list(range(npkg)))
    h = re.sub(r'cpuset="0x0000ffff" complete_cpuset="0x0000ffff" '
               r'allowed_cpuset="0x0000ffff" nodeset="0x00000001" '
               r'complete_nodeset="0x00000001" allowed_nodeset="0x00000001"',
               'cpuset="%s" complete_cpuset="%s" allowed_cpuset="%s" '
               'nodeset="%s" complete_nodeset="%s" allowed_nodeset="%s"'
               % (m, m, m, nodes, nodes, nodes), head)
    per = ngpus // npkg
    pk = [package(p, ncores, range(p * per, (p + 1) * per), mem_mult)
          for p in range(npkg)]
    t = tail.replace('<cpukind cpuset="0x0000ffff"', '<cpukind cpuset="%s"' % m)
    open("%s/%s" % (out, name), "w").write(
        h + "\n" + "\n".join(pk) + "\n  </object>\n" + t)

machine(2, 16, 4, 1, "gpu4-h100.xml")
machine(2, 32, 8, 2, "gpu8-h100.xml")
PY
# gpu4-l4: gpu4-h100 with NVIDIA L4s (24 GB) in place of the H100s.
sed -e 's/\[10de:2330\] \[10de:16c1\]/[10de:27b8] [10de:16ca]/' \
    -e 's/NVIDIA H100 80GB HBM3/NVIDIA L4/' \
    -e 's/value="83024896"/value="23586816"/' \
    "$out/gpu4-h100.xml" > "$out/gpu4-l4.xml"
for f in cpu16.xml gpu4-h100.xml gpu8-h100.xml gpu4-l4.xml; do
	lstopo-no-graphics -i "$out/$f" --of console > /dev/null
done
