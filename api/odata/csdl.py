"""The service's $metadata (CSDL XML, OData 4.0), built from the entity set declarations."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement, tostring

from .entities import ENTITY_SETS, NAMESPACE

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"


def metadata_xml() -> bytes:
    root = Element("edmx:Edmx", {"xmlns:edmx": EDMX, "Version": "4.0"})
    services = SubElement(root, "edmx:DataServices")
    schema = SubElement(services, "Schema", {"xmlns": EDM, "Namespace": NAMESPACE})
    for entity_set in ENTITY_SETS:
        entity_type = SubElement(schema, "EntityType", {"Name": entity_set.type_name})
        key = SubElement(entity_type, "Key")
        SubElement(key, "PropertyRef", {"Name": "Id"})
        for prop in entity_set.properties:
            attributes = {"Name": prop.name, "Type": prop.edm}
            if not prop.nullable:
                attributes["Nullable"] = "false"
            if prop.max_length:
                attributes["MaxLength"] = str(prop.max_length)
            if prop.precision is not None:
                attributes["Precision"] = str(prop.precision)
                attributes["Scale"] = str(prop.scale)
            SubElement(entity_type, "Property", attributes)
        for nav in entity_set.navigations:
            target_type = _type_of(nav.target)
            attributes = {"Name": nav.name, "Type": f"{NAMESPACE}.{target_type}"}
            if not nav.nullable:
                attributes["Nullable"] = "false"
            element = SubElement(entity_type, "NavigationProperty", attributes)
            SubElement(
                element, "ReferentialConstraint", {"Property": nav.key, "ReferencedProperty": "Id"}
            )
    container = SubElement(schema, "EntityContainer", {"Name": "Container"})
    for entity_set in ENTITY_SETS:
        element = SubElement(
            container,
            "EntitySet",
            {"Name": entity_set.name, "EntityType": f"{NAMESPACE}.{entity_set.type_name}"},
        )
        for nav in entity_set.navigations:
            SubElement(
                element, "NavigationPropertyBinding", {"Path": nav.name, "Target": nav.target}
            )
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(root, encoding="unicode").encode(
        "utf-8"
    )


def _type_of(set_name: str) -> str:
    return next(s.type_name for s in ENTITY_SETS if s.name == set_name)
