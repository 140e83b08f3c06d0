// Platforms for the quick-fix tests (code-actions.test.ts): each makes the real engine or the
// language checks report the findings the server's code actions fix.

/** rp0 and rp1 are two functions of one root port without ACS: one IOMMU group with nic0 and disk0 (HV-GROUP-SPLIT). */
export const GROUP_SPLIT = `platform board "test board" {
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 { multifunction  endpoint nic0 at 01:00.0 { bar 0 mem32 size 16K  msi vectors 2  reset flr } }
    root-port rp1 at 00:01.1 { endpoint disk0 at 02:00.0 { bar 0 mem32 size 16K  reset flr } }
  }
  xen {
    domain guest1 { assign nic0 }
  }
}
`;

/** usb, nvme1 and nic share IOMMU group 0 below a switch without ACS; two of them are bound to host drivers (KVM-GROUP-NOT-VIABLE). */
export const KVM_GROUP = `platform desktop "x86 desktop" {
  arch x86_64
  memory ram at 0x1_0000_0000 size 16G
  iommu amdvi0 amd-vi at 0xfd20_0000 scope pcie0
  host-bridge pcie0 segment 0 {
    mcfg at 0xf000_0000 buses 0x00..0x7f
    window mem32 at 0xe000_0000 size 256M
    window mem64 prefetch at 0x10_0000_0000 size 64G
    root-port chipset at 00:02.0 {
      switch-upstream up at 02:00.0 {
        downstream-port d0 at 03:00.0 { endpoint nvme1 at 04:00.0 { bar 0 mem64 size 16K  reset flr } }
        downstream-port d1 at 03:04.0 { endpoint usb at 05:00.0 { bar 0 mem64 size 32K  reset flr } }
        downstream-port d2 at 03:08.0 { endpoint nic at 06:00.0 { bar 0 mem32 size 128K  reset flr } }
      }
    }
  }
  kvm {
    host-driver nvme1 nvme
    host-driver nic igb
    vm router { memory 2G  assign usb }
  }
}
`;

/** Written BARs that overlap, are misaligned or lie outside their bridge's window, and a size that is not a power of two. */
export const BARS = `platform bars {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    rc-endpoint a at 00:01.0 { bar 0 mem32 size 32K at 0x4000_0000 }
    rc-endpoint b at 00:02.0 { bar 0 mem32 size 16K at 0x4000_4000 }
    rc-endpoint c at 00:03.0 { bar 0 mem32 size 16K at 0x4001_1000 }
    rc-endpoint d at 00:04.0 { bar 0 mem32 size 12K  msi vectors 3 }
    root-port rp0 at 00:05.0 {
      window mem32 0x4010_0000..0x401f_ffff
      endpoint e at 01:00.0 { bar 0 mem32 size 16K at 0x4000_8000 }
    }
  }
  kvm {
    vm v { memory 1G }
  }
}
`;

/** far0 (RID 0x100) is past the only iommu-map entry (count 0x100), under KVM (MAP-RID-UNMAPPED). */
export const RID_KVM = `platform rid {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  smmu smmu0 v3 at 0x2000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
    root-port rp0 at 00:02.0 { endpoint far0 at 01:00.0 { bar 0 mem32 size 4K } }
  }
  kvm {
    vm v { memory 1G }
  }
}
`;

/** The same under Xen (XEN-NO-STREAMID). */
export const RID_XEN = `platform ridxen {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  smmu smmu0 v3 at 0x2000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x100 -> smmu0 0x0
    rc-endpoint a0 at 00:01.0 { bar 0 mem32 size 4K }
    root-port rp0 at 00:02.0 { endpoint far0 at 01:00.0 { bar 0 mem32 size 4K } }
  }
  xen {
    domain g { memory 1G }
  }
}
`;

/** Two devices ask for guest slot 00:00.0 (HV-VSLOT-TAKEN). */
export const SLOTS = `platform slots {
  arch arm64
  memory dram at 0x80_0000_0000 size 8G
  its gits0 at 0x801_0002_0000 device-id-bits 20
  smmu smmu0 v3 at 0x4000_0000 stream-id-bits 16
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    iommu-map rid 0x0 count 0x1000 -> smmu0 0x0
    msi-map rid 0x0 count 0x1000 -> gits0 0x0
    root-port rp0 at 00:01.0 { acs sv rr cr uf  endpoint nic0 at 01:00.0 { bar 0 mem32 size 16K  reset flr } }
    root-port rp1 at 00:02.0 { acs sv rr cr uf  endpoint disk0 at 02:00.0 { bar 0 mem32 size 16K  reset flr } }
  }
  xen {
    domain guest1 { memory 1G  assign nic0 as 00:00.0 disk0 as 00:00.0 }
  }
}
`;

/** A function 0 without multifunction, a lone function 3 and a device with functions 1 and 2 only. */
export const MULTIFUNCTION = `platform mf {
  arch arm64
  memory dram at 0x80_0000_0000 size 1G
  host-bridge pcie0 segment 0 {
    ecam at 0x3000_0000 size 16M  bus-range 0x00..0x0f
    window mem32 at 0x4000_0000 size 256M
    root-port rp0 at 00:01.0 {
      endpoint f0 at 01:00.0 vendor 0x8086 device 0x10c9 { bar 0 mem32 size 16K }
      endpoint f1 at 01:00.1 vendor 0x8086 device 0x10c9 { bar 0 mem32 size 16K }
    }
    root-port rp1 at 00:02.0 {
      endpoint lone at 02:00.3 { bar 0 mem32 size 16K }
    }
    root-port rp2 at 00:03.0 {
      endpoint g1 at 03:00.1 vendor 0x1af4 device 0x1041 { bar 0 mem32 size 16K }
      endpoint g2 at 03:00.2 vendor 0x1af4 device 0x1041 { bar 0 mem32 size 16K }
    }
  }
  kvm {
    vm v { memory 1G }
  }
}
`;
