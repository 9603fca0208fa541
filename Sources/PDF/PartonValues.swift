/// x·f for all partons at one (x, Q): a reusable buffer filled by `PartonDensity.xfxAll`.
///
/// Slot layout (fixed, so hot loops can index directly): slot = pid + 6 for pid −6…6, where pid 0 (slot 6)
/// holds the gluon; slot 13 holds the photon. Allocate once and reuse: filling it never allocates.
public struct PartonValues: Sendable, Equatable {
    public static let slotCount = 14
    public static let photonSlot = 13
    public static let gluonSlot = 6

    /// Raw slots, `slotCount` long (fixed: only slot values change).
    @usableFromInline var storage: [Double]

    /// All slots, read-only.
    @inlinable public var slots: [Double] { storage }

    public init() { storage = [Double](repeating: 0, count: PartonValues.slotCount) }

    /// Slot of a PDG id: quarks ±1…±6, gluon 21 or 0, photon 22; nil for anything else.
    @inlinable
    public static func slot(ofPID pid: Int) -> Int? {
        if pid >= -6 && pid <= 6 { return pid &+ 6 }
        if pid == 21 { return gluonSlot }
        if pid == 22 { return photonSlot }
        return nil
    }

    /// PDG id stored in a slot (the gluon is reported as 21).
    @inlinable
    public static func pid(ofSlot slot: Int) -> Int {
        if slot == gluonSlot { return 21 }
        if slot == photonSlot { return 22 }
        return slot - 6
    }

    /// Read or write one slot directly (0..<slotCount).
    @inlinable
    public subscript(slot slot: Int) -> Double {
        get { storage[slot] }
        set { storage[slot] = newValue }
    }

    /// x·f for a PDG id; 0 for ids without a slot.
    @inlinable
    public subscript(pid pid: Int) -> Double {
        guard let s = PartonValues.slot(ofPID: pid) else { return 0 }
        return storage[s]
    }
}
