#include <core/trace/event_fields.hpp>
#include <sim/scenario/core_event.hpp>

namespace grove::scenario {

TraceEvent trace_event_of(Event const& event, std::function<std::string(u32 serial)> const& name_of) {
    TraceEvent out;
    out.time = event.time;
    out.grove = name_of(event.serial);
    out.generation = event.generation;
    out.kind = event_kind_name(event.kind);
    for_each_event_field(event, [&](EventField const& field) {
        switch (field.type) {
        case EventField::Type::Unsigned:
        case EventField::Type::Hex: out.with(field.name, FieldValue::unsigned_integer(field.value)); return;
        case EventField::Type::Signed: out.with(field.name, FieldValue::integer(field.signed_value())); return;
        case EventField::Type::Name: out.with(field.name, FieldValue::text(field.text)); return;
        case EventField::Type::Grove:
            out.with(field.name, FieldValue::text(name_of(static_cast<u32>(field.value))));
            return;
        }
    });
    return out;
}

} // namespace grove::scenario
