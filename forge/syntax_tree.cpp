#include <forge/syntax_tree.hpp>

namespace grove::forge {

NodeIndex SyntaxTree::add(NodeKind kind, Position position) {
    if (m_count == MaxNodes) return 0;
    NodeIndex const index = static_cast<NodeIndex>(m_count++);
    m_nodes[index] = Node{};
    m_nodes[index].kind = kind;
    m_nodes[index].position = position;
    return index;
}

} // namespace grove::forge
