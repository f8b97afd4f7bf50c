// Twin.Events carries only the serialization attributes; the Orleans serializers for its commands, events and
// snapshots are generated here.
[assembly: GenerateCodeForDeclaringAssembly(typeof(Twin.Events.Nics.NicEvent))]
