// A platform of 100k+ functions for the scale tests of the ID and grouping rules.
/** Two host bridges x 196 root ports x (PF + 255 VFs on the port's bus): 100,744 functions. */
export function hundredThousand(): string {
    const bridge = (seg: number) => {
        const ports = Array.from({ length: 196 }, (_, i) => {
            const at = `00:${(i >> 3).toString(16).padStart(2, '0')}.${i & 7}`;
            return `    root-port rp${seg}_${i} at ${at} {
      ${(i & 7) === 0 ? 'multifunction ' : ''}acs sv rr cr uf
      endpoint pf${seg}_${i} at 00.0 { sriov total-vfs 255 num-vfs 255 offset 1 stride 1 }
    }`;
        }).join('\n');
        return `  host-bridge pcie${seg} segment ${seg} {
    ecam at 0x${(0x40 + seg * 0x10).toString(16)}_0000_0000 size 256M
    bus-range 0x00..0xff
    iommu-map rid 0x0000 count 0x10000 -> smmu0 0x${(seg * 0x10000).toString(16)}
    msi-map rid 0x0000 count 0x10000 -> its0 0x${(seg * 0x10000).toString(16)}
${ports}
  }`;
    };
    return `platform big {
  arch arm64
  its its0 at 0x808_0000 device-id-bits 20
  smmu smmu0 v3 at 0x905_0000 stream-id-bits 20
${bridge(0)}
${bridge(1)}
}
`;
}
