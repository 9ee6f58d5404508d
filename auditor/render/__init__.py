"""Topology diagrams (`blastscope render`, `blast --render`, the HTML report's SVG).

A pure layer builds a `Diagram` — clusters account → project → environment, nodes with
kind-specific shapes, production marked by colour and label, finding evidence drawn in the
severity's colour — from a topology and its findings; emitters turn it into Graphviz DOT
(→ SVG/PNG/PDF through the `dot` program) or Mermaid. Large homogeneous groups are collapsed
so diagrams of real accounts stay legible.
"""
