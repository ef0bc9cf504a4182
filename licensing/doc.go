// Package licensing decides what every call and registration of an edge
// costs in licences and physical capacity, and admits or refuses it.
//
// Classification is pure: [Classify] turns the facts of a call into a
// [Decision] (which box is charged one rich media session, how many tokens,
// how many physical units, whether the encryption B2BUA is needed), and
// [ClassifyRegistration] does the same for a registration (a room or desktop
// licence per alias). Admission is done by a [Ledger], which runs the three
// checks — licences, physical capacity, B2BUA concurrency — as one atomic
// step against a [Store], so it never over-admits under concurrency. The
// licensed pool comes from option keys ([ParseKey], [KeySet]) pooled across
// cluster peers ([Pool]) or from Smart Licensing ([Smart]); capacity comes
// from the platform tables ([StandaloneCapacity], [ClusterCapacity]).
package licensing
