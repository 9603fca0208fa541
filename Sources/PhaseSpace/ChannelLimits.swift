// Generation limits of the W + jets channels, derived from the analysis cuts (Physics.Cuts.channelLimits).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generation limits shared by the channels of one process; derived from the analysis cuts by Physics.
public struct ChannelLimits: Sendable, Equatable {
    /// Collider energy √s in GeV.
    public var sqrtS: Double
    /// W pole mass and width used by the Breit–Wigner map, GeV.
    public var wMass: Double
    public var wWidth: Double
    /// Window of the ℓν invariant mass, GeV (the generated region; nothing outside it is integrated).
    public var leptonPairMassMin: Double
    public var leptonPairMassMax: Double
    /// Lower p_T of every parton (the jet cut): required > 0 when there are partons.
    public var jetPTMin: Double
    /// Upper |η| of every parton (nil: only the kinematic limit).
    public var jetEtaMax: Double?
    /// Lower bound of the invariant mass² of a pair of partons (from the p_T and ΔR cuts), GeV².
    public var pairMass2Min: Double
    /// ν of the p_T² maps of partons and clusters (density ∝ 1/(p_T² + c)^ν). ν = 1 is the bare 1/p_T² of a
    /// t-channel emission; the default 1.5 is still flatter than LO W + jets spectra (≈ p_T^−4…−5 in dp_T²),
    /// so tails stay oversampled, while far fewer points land at high p_T.
    public var pTExponent: Double = 1.5
    /// ν of the cluster-mass² maps (density ∝ 1/(m²)^ν; < 1 so that a zero lower bound stays integrable).
    public var pairMassExponent: Double = 0.8

    public init(sqrtS: Double, wMass: Double, wWidth: Double, leptonPairMassMin: Double = 10,
                leptonPairMassMax: Double? = nil, jetPTMin: Double = 20, jetEtaMax: Double? = 5,
                pairMass2Min: Double = 0) {
        self.sqrtS = sqrtS; self.wMass = wMass; self.wWidth = wWidth
        self.leptonPairMassMin = leptonPairMassMin
        self.leptonPairMassMax = leptonPairMassMax ?? sqrtS
        self.jetPTMin = jetPTMin; self.jetEtaMax = jetEtaMax; self.pairMass2Min = pairMass2Min
    }

    /// Largest parton rapidity the channels generate.
    public var jetRapidityMax: Double {
        let kinematic = log(sqrtS / jetPTMin)
        if let e = jetEtaMax { return min(e, kinematic) }
        return kinematic
    }
}
